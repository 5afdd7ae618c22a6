"""The run record: one crawl_runs row per run of a spider, its failures, its summary and outcome.

`RunRecord` is a Scrapy extension (EXTENSIONS in crawler/settings.py) fed by signals and stats,
never by state kept on the crawler:

    storage_opened     sent by the storage pipeline once it opened the database (or could not):
                       the extension closes the rows of killed runs as `killed`
                       (crawler/storage/runs.py), opens this run's row with its owner process and
                       puts its id in the stat govreports/run_id
    failure_recorded   sent by `record_failure` from any component (middlewares, pipelines):
                       counted, and written as crawl_failures rows of the run
    item_scraped       an item stored; pending failures are written
    item_dropped       an item rejected by a pipeline: a rejected_item failure (a drop that
                       recorded its own kind, e.g. `archive`, is not recorded again)
    spider_closed      the summary from the stats (pages, requests, what the storage pipeline
                       stored: govreports/reports_*, metrics_written, findings_written,
                       deadletters_*, database_down), the outcome judged, the row closed, the
                       summary logged

A crawl whose pipelines never opened the database (ITEM_PIPELINES={}) keeps no record and is not
judged (exit_reason then looks at the finish reason only). Failures the database cannot take
(unreachable at open, a refused write) are kept as a dead letter (crawler/storage/deadletter.py)
and written by the next run.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError

from crawler.items import Failure
from crawler.storage.deadletter import DeadLetters
from crawler.storage.runs import (
    OWNER_STAT,
    close_killed_runs,
    finish_run,
    held_count,
    open_run,
    this_process,
    write_failures,
)

log = logging.getLogger(__name__)

# Custom signals (crawler.signals.send_catch_log(signal, **kwargs)).
failure_recorded = object()  # failure: crawler.items.Failure
storage_opened = object()  # sessions: a sessionmaker, or None with error: why the database refused the run

# failure kinds that are requests the crawl could not complete (a rejected item is not one)
REQUEST_FAILURES = ("download", "http_status", "blocked", "attachment")
FAILURES_AT_ONCE = 50  # pending failures written without waiting for the next item
RUN_ID_STAT = "govreports/run_id"


def record_failure(crawler: Any, url: str | None, kind: str, reason: str) -> None:
    """Something the crawl could not do: counted in the stats, logged, and sent to the run record."""
    crawler.stats.inc_value(f"govreports/failures/{kind}")
    log.warning("%s failure %s: %s", kind, url, reason)
    crawler.signals.send_catch_log(failure_recorded, failure=Failure(url, kind, reason))


def exit_reason(stats: dict[str, Any]) -> str | None:
    """Why a crawl must exit non-zero, or None. The run record judges the outcome (empty,
    failed …) and says why; a crawl that nothing judged (pipelines disabled) fails only when it
    did not finish."""
    outcome = stats.get("govreports/outcome")
    if outcome == "ok":
        return None
    if outcome is None:
        finish = stats.get("finish_reason")
        return None if finish == "finished" else f"crawl ended with {finish}"
    return stats.get("govreports/exit_reason") or f"crawl {outcome}"


class RunRecord:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.max_failure_rate = settings.getfloat("GOVREPORTS_MAX_FAILURE_RATE", 0.3)
        self.killed_after = timedelta(hours=settings.getfloat("GOVREPORTS_KILLED_RUN_HOURS", 48))
        self.dead_letters = DeadLetters.from_settings(settings)
        self.opened = False  # the storage pipeline opened (or tried to open) the database
        self.sessions: Any = None  # None while the run's row cannot be written
        self.run_id: int | None = None
        self.owner: dict[str, Any] = {}
        self.database_down: str | None = None  # why failures could not be written, if they could not
        self.held_before = 0
        self.items = 0
        self.rejected = 0
        self.pending: list[Failure] = []
        self.failure_kinds: Counter[str] = Counter()
        self.failure_reasons: Counter[str] = Counter()
        crawler.signals.connect(self.storage_opened, signal=storage_opened)
        crawler.signals.connect(self.failure_recorded, signal=failure_recorded)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecord:
        return cls(crawler)

    @property
    def spider_name(self) -> str:
        spider = self.crawler.spider
        assert spider is not None, "the run record used outside a crawl"
        return str(spider.name)

    # -- signals ----------------------------------------------------------------------------------

    def storage_opened(self, sessions: Any = None, error: str | None = None) -> None:
        self.opened = True
        if sessions is None:
            self.database_down = error or "database unreachable"
            return
        spider = self.spider_name
        owner = this_process()
        try:
            for run_id, name, why in close_killed_runs(sessions, host=owner["host"], max_age=self.killed_after):
                log.warning("crawl run %s of %s closed as killed: %s", run_id, name, why)
            self.held_before = held_count(sessions, spider)
            self.run_id = open_run(sessions, spider, owner)
        except SQLAlchemyError as exc:
            self.database_down = f"crawl run not opened: {short_error(exc)}"
            log.error("%s: %s", spider, self.database_down)
            return
        self.sessions = sessions
        self.owner = owner
        self.crawler.stats.set_value(RUN_ID_STAT, self.run_id)

    def failure_recorded(self, failure: Failure) -> None:
        self.failure_kinds[failure.kind] += 1
        self.failure_reasons[f"{failure.kind}: {failure.reason[:100]}"] += 1
        self.pending.append(failure)
        if len(self.pending) >= FAILURES_AT_ONCE:
            self.write_failures()

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        self.items += 1
        if self.pending:
            self.write_failures()

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any = None) -> None:
        if getattr(exception, "failure_kind", None):
            return  # recorded under its own kind where it was dropped (pipelines/archive.py: archive)
        self.rejected += 1
        url = getattr(item, "url", None) or getattr(getattr(item, "page", None), "url", None)
        record_failure(self.crawler, url, "rejected_item", str(exception))

    def spider_closed(self, spider: Any, reason: str) -> None:
        if not self.opened:
            return  # nothing stored this crawl: no record, nothing judged
        self.write_failures()
        if self.pending:  # the database took none of them: the next run writes them
            self.keep_failures(self.database_down or "database unreachable")
        stats = self.crawler.stats.get_stats()
        summary = self.summary(stats, reason)
        outcome, why = self.judge(reason, summary, stats)
        self.crawler.stats.set_value("govreports/outcome", outcome)
        self.crawler.stats.set_value("govreports/exit_reason", why)
        if self.sessions is not None and self.run_id is not None:
            try:
                self.close_row(reason, summary, outcome, why)
            except (SQLAlchemyError, LookupError) as exc:
                log.error("%s: crawl run %s not recorded: %s", spider.name, self.run_id, short_error(exc))
        log.info(
            "crawl run %s of %s: %s%s\n%s",
            self.run_id,
            spider.name,
            outcome,
            f" ({why})" if why else "",
            format_summary(summary),
        )
        if why:
            log.error("%s: %s", spider.name, why)

    # -- the row ----------------------------------------------------------------------------------

    def write_failures(self) -> None:
        """Write the pending failures as rows of the run; failures the database refuses are kept
        as a dead letter."""
        if not self.pending or self.sessions is None or self.run_id is None:
            return
        failures, self.pending = self.pending, []
        try:
            write_failures(self.sessions, self.run_id, failures)
        except Exception as exc:  # noqa: BLE001 - whatever refused them, they are kept
            self.pending = failures + self.pending
            self.keep_failures(f"failures not written: {short_error(exc)}")

    def keep_failures(self, why: str) -> None:
        failures, self.pending = self.pending, []
        self.database_down = self.database_down or why
        path = self.dead_letters.keep(self.spider_name, self.run_id, [], failures, [], why)
        log.error(
            "%s: %d failures not recorded (%s); kept in %s for the next run",
            self.spider_name,
            len(failures),
            why,
            path,
        )

    def close_row(self, reason: str, summary: dict[str, Any], outcome: str, why: str | None) -> None:
        assert self.run_id is not None
        stats = self.crawler.stats.get_stats()
        finish_run(
            self.sessions,
            self.run_id,
            finish_reason=reason,
            items_scraped=self.items,
            items_rejected=self.rejected,
            reports_new=summary["reports"]["new"],
            reports_changed=summary["reports"]["changed"],
            reports_unchanged=summary["reports"]["unchanged"],
            metrics_written=summary["metrics_written"],
            findings_written=summary["findings_written"],
            pages=summary["pages"],
            failures_count=sum(self.failure_kinds.values()),
            failure_rate=summary["failure_rate"],
            outcome=outcome,
            exit_reason=why,
            summary=summary,
            stats={**jsonable(stats), OWNER_STAT: self.owner},  # the owner stays on the row
        )

    # -- the summary and the outcome --------------------------------------------------------------

    def summary(self, stats: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
        # a retried request is one request that failed or not: retries must not dilute the rate
        requests = int(stats.get("downloader/request_count", 0)) - int(stats.get("retry/count", 0))
        failed = sum(n for kind, n in self.failure_kinds.items() if kind in REQUEST_FAILURES)
        skipped = int(stats.get("govreports/reports_skipped", 0))  # held, not fetched (middlewares/incremental.py)
        return {
            "pages": int(stats.get("downloader/response_count", 0)),
            "requests": requests,
            "reports": {
                "new": int(stats.get("govreports/reports_new", 0)),
                "changed": int(stats.get("govreports/reports_changed", 0)),
                "unchanged": int(stats.get("govreports/reports_unchanged", 0)) + skipped,
            },
            "reports_skipped": skipped,
            "dead_letters": {
                "kept": int(stats.get("govreports/deadletters_kept", 0)),
                "replayed": int(stats.get("govreports/deadletters_replayed", 0)),
            },
            "rejected_items": self.rejected,
            "refused_reports": int(stats.get("govreports/reports_refused", 0)),
            "metrics_written": int(stats.get("govreports/metrics_written", 0)),
            "findings_written": int(stats.get("govreports/findings_written", 0)),
            "failures_by_kind": dict(self.failure_kinds),
            "failures_by_reason": dict(self.failure_reasons.most_common(20)),
            "failure_rate": round(failed / requests, 4) if requests else 0.0,
        }

    def judge(self, finish_reason: str, summary: dict[str, Any], stats: dict[str, Any]) -> tuple[str, str | None]:
        """ok, or failed/empty with the reason the crawl must exit non-zero."""
        stored = sum(summary["reports"].values())
        database_down = stats.get("govreports/database_down") or self.database_down
        if database_down:
            return "failed", (
                f"{database_down}; {summary['dead_letters']['kept']} reports kept as dead letters in "
                f"{self.dead_letters.directory}, re-applied by the next run"
            )
        not_archived = self.failure_kinds.get("archive", 0)
        if not_archived:
            return "failed", (
                f"{not_archived} reports not stored: the raw archive could not keep them "
                "(crawl_failures of kind archive say why); the next crawl fetches them again"
            )
        if finish_reason != "finished":
            return "failed", f"crawl ended with {finish_reason}"
        if stored == 0 and self.held_before:
            return "failed", f"found zero reports where the database holds {self.held_before} from this spider"
        if stored == 0:
            return "empty", "found no report at all (an empty crawl is an error)"
        if summary["failure_rate"] > self.max_failure_rate:
            return "failed", (
                f"failure rate {summary['failure_rate']:.0%} above the threshold "
                f"{self.max_failure_rate:.0%} (GOVREPORTS_MAX_FAILURE_RATE)"
            )
        return "ok", None


def short_error(exc: BaseException) -> str:
    """The first line of a database error (SQLAlchemy appends the statement and a link)."""
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def format_summary(summary: dict[str, Any]) -> str:
    r = summary["reports"]
    lines = [
        f"  pages {summary['pages']} of {summary['requests']} requests",
        f"  reports: {r['new']} new, {r['changed']} changed, {r['unchanged']} unchanged "
        f"({summary.get('reports_skipped', 0)} not fetched again); {summary['rejected_items']} items rejected, "
        f"{summary.get('refused_reports', 0)} refused by the database",
        f"  metrics written {summary['metrics_written']}, findings {summary['findings_written']}",
        f"  failures: {sum(summary['failures_by_kind'].values())} (rate {summary['failure_rate']:.1%})",
    ]
    lines += [f"    {n} × {reason}" for reason, n in summary["failures_by_reason"].items()]
    letters = summary.get("dead_letters") or {}
    if letters.get("kept") or letters.get("replayed"):
        lines.append(
            f"  dead letters: {letters['kept']} reports kept for the next run, {letters['replayed']} re-applied"
        )
    return "\n".join(lines)


def jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in stats.items()
        if isinstance(v, (int, float, str, bool, datetime)) or v is None
    }
