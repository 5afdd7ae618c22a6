"""Write parsed reports to the database in batches, each batch in one transaction; keep one
crawl-run row per run with its counts and every failure recorded during the run. A batch the
database refuses (unreachable at open, a failed transaction) is kept as a dead letter and
re-applied at the start of the next run (crawler/storage/deadletter.py)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from crawler.extensions.runrecord import record_failure, take_failures
from crawler.items import Failure, ParsedItem
from crawler.middlewares.incremental import take_seen
from crawler.storage.db import ensure_schema, session_factory
from crawler.storage.deadletter import DeadLetters
from crawler.storage.models import CrawlFailure, CrawlRun, Report
from crawler.storage.store import Refused, ReportWriter, WriteCounts, utcnow

log = logging.getLogger(__name__)


# failure kinds that are requests the crawl could not complete (a rejected item is not one)
REQUEST_FAILURES = ("download", "http_status", "blocked", "attachment")
REFUSED = "refused_report"  # a report the database would not hold (its own row's fault)
PROGRESS_EVERY = 25  # reports: long crawls log progress


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.url: str = crawler.settings.get("GOVREPORTS_DATABASE_URL")
        self.batch_size = crawler.settings.getint("GOVREPORTS_BATCH_SIZE", 20)
        self.max_failure_rate = crawler.settings.getfloat("GOVREPORTS_MAX_FAILURE_RATE", 0.3)
        self.failure_kinds: Counter[str] = Counter()
        self.failure_reasons: Counter[str] = Counter()
        self.held_before = 0
        self.logged_progress = 0
        self.pending: list[ParsedItem] = []
        self.totals = WriteCounts()
        self.items = 0
        self.rejected = 0
        self.refused = 0  # reports the database refused (recorded as failures, not stored)
        self.engine: Engine | None = None
        self.sessions: Any = None  # None while the database is unreachable: batches become dead letters
        self.run_id: int | None = None
        self.dead_letters = DeadLetters.from_settings(crawler.settings)
        self.database_down: str | None = None  # why the database refused the run, if it did
        self.kept = 0  # items of this run kept as dead letters
        self.replayed = 0  # items of earlier runs' dead letters written by this one
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    @property
    def spider(self) -> Spider:
        """The crawl's spider: set before the pipeline opens, so always there when it runs."""
        spider = self.crawler.spider
        assert spider is not None, "the storage pipeline used outside a crawl"
        return spider

    def open_spider(self) -> None:
        try:
            self.engine = ensure_schema(self.url)
            sessions = session_factory(self.engine)
            with sessions.begin() as session:
                self.held_before = (
                    session.scalar(select(func.count()).select_from(Report).where(Report.spider == self.spider.name))
                    or 0
                )
                run = CrawlRun(spider=self.spider.name, started_at=utcnow(), outcome="running")
                session.add(run)
                session.flush()
                self.run_id = run.id
        except (SQLAlchemyError, OSError) as exc:  # crawl anyway: every batch is kept as a dead letter
            self.database_down = f"database unreachable at open: {_short(exc)}"
            record_failure(self.crawler, None, "database", self.database_down)
            return
        self.sessions = sessions
        self.replay_dead_letters(run.id)

    def replay_dead_letters(self, run_id: int) -> None:
        """Re-apply what earlier runs could not write, before this run (`run_id`) writes anything."""
        spider = self.spider.name
        try:
            replayed = self.dead_letters.replay(self.sessions, spider, run_id)
        except SQLAlchemyError as exc:
            record_failure(self.crawler, None, "database", f"re-applying dead letters failed: {_short(exc)}")
            return
        self.replayed = replayed.items
        for why in replayed.kept:
            record_failure(self.crawler, None, "deadletter", f"dead letter not re-applied, kept: {why}")

    def process_item(self, item: ParsedItem) -> ParsedItem:
        self.items += 1
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        if getattr(exception, "failure_kind", None):
            return  # recorded under its own kind where it was dropped (pipelines/archive.py)
        self.rejected += 1
        url = getattr(item, "url", None) or getattr(getattr(item, "page", None), "url", None)
        record_failure(self.crawler, url, "rejected_item", str(exception))

    def flush(self) -> None:
        """Write the pending items, failures and still-seen reports in one transaction; a batch
        the database refuses is kept as a dead letter."""
        batch, self.pending = self.pending, []
        failures = take_failures(self.crawler)
        seen = take_seen(self.crawler)
        if not batch and not failures and not seen:
            return
        spider = self.spider
        items = [
            (
                item,
                {a.url: spider.canonical_url(a.url) for a in item.page.attachments}
                if hasattr(spider, "canonical_url")
                else {},
            )
            for item in batch
        ]
        self.count_failures(failures)
        counts = WriteCounts()
        try:
            if self.sessions is None:
                raise _DatabaseDown(self.database_down)
            with self.sessions.begin() as session:
                writer = ReportWriter(session)
                # each report in a savepoint of its own: one the database refuses is not stored,
                # recorded against its URL, and the rest of the batch is stored
                counts, refused = writer.write_each(items)
                failures += [self.refusal(r) for r in refused]
                writer.mark_seen(spider.name, seen)
                for f in failures:
                    session.add(CrawlFailure(run_id=self.run_id, url=f.url, kind=f.kind, reason=f.reason, at=f.at))
        except Exception as exc:  # noqa: BLE001 - whatever refused the batch, its items are kept
            self.keep_dead_letter(items, failures, seen, exc)
            return
        self.refused += len(refused)
        self.crawler.stats.inc_value("govreports/reports_refused", len(refused))
        self.totals.add(counts)
        stats = self.crawler.stats
        for name in ("new", "changed", "unchanged"):
            stats.set_value(f"govreports/reports_{name}", getattr(self.totals, name))
        stored = self.totals.new + self.totals.changed + self.totals.unchanged
        if stored - self.logged_progress >= PROGRESS_EVERY:
            self.logged_progress = stored
            log.info(
                "%s: %d reports stored so far (%d new, %d changed, %d unchanged), %d failures",
                self.spider.name,
                stored,
                self.totals.new,
                self.totals.changed,
                self.totals.unchanged,
                sum(self.failure_kinds.values()),
            )

    def refusal(self, refused: Refused) -> Failure:
        """The failure of a report the database refused: recorded (and counted) like any other."""
        reason = f"report not stored, the database refused it: {_short(refused.error)}"
        log.error("%s: %s: %s", self.spider.name, refused.item.page.url, reason)
        failure = Failure(refused.item.page.url, REFUSED, reason)
        self.crawler.stats.inc_value(f"govreports/failures/{REFUSED}")
        self.count_failures([failure])
        return failure

    def count_failures(self, failures: list) -> None:
        for f in failures:
            self.failure_kinds[f.kind] += 1
            self.failure_reasons[f"{f.kind}: {f.reason[:100]}"] += 1

    def keep_dead_letter(self, items: list, failures: list, seen: list[str], exc: BaseException) -> None:
        """Keep a refused batch, with a failure saying so, for the next run to re-apply."""
        why = str(exc) if isinstance(exc, _DatabaseDown) else f"a batch write failed: {_short(exc)}"
        self.database_down = self.database_down or why
        record_failure(self.crawler, None, "database", f"{len(items)} reports kept as a dead letter ({why})")
        own = take_failures(self.crawler)
        self.count_failures(own)
        path = self.dead_letters.keep(self.spider.name, self.run_id, items, failures + own, seen, why)
        self.kept += len(items)
        log.error(
            "%s: the database refused a batch of %d reports; kept in %s for the next run",
            self.spider.name,
            len(items),
            path,
        )

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.run_id is None and self.database_down is None:
            return  # never opened
        self.flush()  # failures recorded after close_spider
        stats = self.crawler.stats.get_stats()
        summary = self.summary(stats)
        outcome, exit_reason = self.judge(reason, summary)
        self.crawler.stats.set_value("govreports/outcome", outcome)
        self.crawler.stats.set_value("govreports/exit_reason", exit_reason)
        try:
            if self.sessions is not None:
                self.write_run(reason, summary, outcome, exit_reason, stats)
        except SQLAlchemyError as exc:
            log.error("%s: crawl run %s not recorded: %s", spider.name, self.run_id, _short(exc))
        log.info(
            "crawl run %s of %s: %s%s\n%s",
            self.run_id,
            spider.name,
            outcome,
            f" ({exit_reason})" if exit_reason else "",
            format_summary(summary),
        )
        if exit_reason:
            log.error("%s: %s", spider.name, exit_reason)
        if self.engine is not None:
            self.engine.dispose()

    def write_run(
        self, reason: str, summary: dict[str, Any], outcome: str, exit_reason: str | None, stats: dict[str, Any]
    ) -> None:
        with self.sessions.begin() as session:
            run = session.get(CrawlRun, self.run_id)
            run.finished_at = utcnow()
            run.finish_reason = reason
            run.items_scraped = self.items
            run.items_rejected = self.rejected
            run.reports_new = self.totals.new
            run.reports_changed = self.totals.changed
            run.reports_unchanged = summary["reports"]["unchanged"]
            run.metrics_written = self.totals.metrics
            run.findings_written = self.totals.findings
            run.pages = summary["pages"]
            run.failures_count = sum(self.failure_kinds.values())
            run.failure_rate = summary["failure_rate"]
            run.outcome = outcome
            run.exit_reason = exit_reason
            run.summary = summary
            run.stats = _jsonable(stats)

    def summary(self, stats: dict[str, Any]) -> dict[str, Any]:
        # a retried request is one request that failed or not: retries must not dilute the rate
        requests = int(stats.get("downloader/request_count", 0)) - int(stats.get("retry/count", 0))
        failed = sum(n for kind, n in self.failure_kinds.items() if kind in REQUEST_FAILURES)
        skipped = int(
            stats.get("govreports/reports_skipped", 0)
        )  # held, not fetched (crawler/middlewares/incremental.py)
        return {
            "pages": int(stats.get("downloader/response_count", 0)),
            "requests": requests,
            "reports": {
                "new": self.totals.new,
                "changed": self.totals.changed,
                "unchanged": self.totals.unchanged + skipped,
            },
            "reports_skipped": skipped,
            "dead_letters": {"kept": self.kept, "replayed": self.replayed},
            "rejected_items": self.rejected,
            "refused_reports": self.refused,
            "metrics_written": self.totals.metrics,
            "findings_written": self.totals.findings,
            "failures_by_kind": dict(self.failure_kinds),
            "failures_by_reason": dict(self.failure_reasons.most_common(20)),
            "failure_rate": round(failed / requests, 4) if requests else 0.0,
        }

    def judge(self, finish_reason: str, summary: dict[str, Any]) -> tuple[str, str | None]:
        """ok, or failed/empty with the reason the crawl must exit non-zero."""
        stored = sum(summary["reports"].values())
        if self.database_down:
            return "failed", (
                f"{self.database_down}; {self.kept} reports kept as dead letters in "
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


class _DatabaseDown(Exception):
    """The database was unreachable at open: no batch can be written in this run."""


def _short(exc: BaseException) -> str:
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


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in stats.items()
        if isinstance(v, (int, float, str, bool, datetime)) or v is None
    }
