"""Write parsed reports to the database in batches, each batch in one transaction. A batch the
database refuses (unreachable at open, a failed transaction) is kept as a dead letter and
re-applied at the start of the next run (crawler/storage/deadletter.py).

The pipeline only stores. It says what it did through signals and stats, which the run record
(crawler/extensions/runrecord.py `RunRecord`: the crawl_runs row, failures, summary, outcome) reads:
`storage_opened` once the database is open (or could not be), the stats govreports/reports_new,
…_changed, …_unchanged, metrics_written, findings_written, deadletters_kept, deadletters_replayed
and database_down, and `record_failure` for what it could not store. Reports the incremental
middleware skipped as held arrive by the signal `held_report_seen` and are marked seen with the
next batch."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.extensions.runrecord import RUN_ID_STAT, record_failure, short_error, storage_opened
from crawler.items import ParsedItem, release_bodies
from crawler.middlewares.incremental import held_report_seen
from crawler.settings import parse_limits
from crawler.storage.db import ensure_schema, session_factory
from crawler.storage.deadletter import DeadLetters
from crawler.storage.store import Refused, ReportWriter, WriteCounts

log = logging.getLogger(__name__)


REFUSED = "refused_report"  # failure kind: a report the database would not hold (its own row's fault)
PROGRESS_EVERY = 25  # reports: long crawls log progress


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.url: str = crawler.settings.get("GOVREPORTS_DATABASE_URL")
        self.batch_size = crawler.settings.getint("GOVREPORTS_BATCH_SIZE", 20)
        self.logged_progress = 0
        self.pending: list[ParsedItem] = []
        self.seen: list[str] = []  # canonical URLs of held reports to mark seen with the next batch
        self.totals = WriteCounts()
        self.refused = 0  # reports the database refused (recorded as failures, not stored)
        self.engine: Engine | None = None
        self.sessions: Any = None  # None while the database is unreachable: batches become dead letters
        self.dead_letters = DeadLetters.from_settings(crawler.settings, parse_limits(crawler.settings))
        self.database_down: str | None = None  # why the database refused the run, if it did
        self.kept = 0  # items of this run kept as dead letters
        crawler.signals.connect(self.held_report_seen, signal=held_report_seen)
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
        except (SQLAlchemyError, OSError) as exc:  # crawl anyway: every batch is kept as a dead letter
            self.database_down = f"database unreachable at open: {short_error(exc)}"
            self.crawler.stats.set_value("govreports/database_down", self.database_down)
            record_failure(self.crawler, None, "database", self.database_down)
            self.crawler.signals.send_catch_log(storage_opened, sessions=None, error=self.database_down)
            return
        self.sessions = session_factory(self.engine)
        # the run record opens this run's crawl_runs row (and closes those of killed runs)
        self.crawler.signals.send_catch_log(storage_opened, sessions=self.sessions, error=None)
        self.replay_dead_letters()

    @property
    def run_id(self) -> int | None:
        return self.crawler.stats.get_value(RUN_ID_STAT)

    def replay_dead_letters(self) -> None:
        """Re-apply what earlier runs could not write, before this run writes anything."""
        spider = self.spider.name
        if self.run_id is None:  # no run record (RunRecord disabled): their failures would have no run
            if self.dead_letters.pending(spider):
                log.warning("%s: no crawl run recorded: dead letters left for a later run", spider)
            return
        try:
            replayed = self.dead_letters.replay(self.sessions, spider, self.run_id)
        except SQLAlchemyError as exc:
            record_failure(self.crawler, None, "database", f"re-applying dead letters failed: {short_error(exc)}")
            return
        self.crawler.stats.set_value("govreports/deadletters_replayed", replayed.items)
        for why in replayed.kept:
            record_failure(self.crawler, None, "deadletter", f"dead letter not re-applied, kept: {why}")

    def process_item(self, item: ParsedItem) -> ParsedItem:
        # archived and parsed: a report waiting for its batch needs its bytes' length only
        release_bodies(item.page)
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def held_report_seen(self, canonical_url: str) -> None:
        self.seen.append(canonical_url)

    def flush(self) -> None:
        """Write the pending items and still-seen reports in one transaction; a batch the database
        refuses is kept as a dead letter."""
        batch, self.pending = self.pending, []
        seen, self.seen = self.seen, []
        if not batch and not seen:
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
        counts = WriteCounts()
        try:
            if self.sessions is None:
                raise _DatabaseDown(self.database_down)
            with self.sessions.begin() as session:
                writer = ReportWriter(session)
                # each report in a savepoint of its own: one the database refuses is not stored,
                # recorded against its URL, and the rest of the batch is stored
                counts, refused = writer.write_each(items)
                writer.mark_seen(spider.name, seen)
        except Exception as exc:  # noqa: BLE001 - whatever refused the batch, its items are kept
            self.keep_dead_letter(items, seen, exc)
            return
        for r in refused:
            self.refusal(r)
        self.totals.add(counts)
        stats = self.crawler.stats
        for name in ("new", "changed", "unchanged"):
            stats.set_value(f"govreports/reports_{name}", getattr(self.totals, name))
        stats.set_value("govreports/metrics_written", self.totals.metrics)
        stats.set_value("govreports/findings_written", self.totals.findings)
        stored = self.totals.new + self.totals.changed + self.totals.unchanged
        if stored - self.logged_progress >= PROGRESS_EVERY:
            self.logged_progress = stored
            failures = sum(v for k, v in stats.get_stats().items() if k.startswith("govreports/failures/"))
            log.info(
                "%s: %d reports stored so far (%d new, %d changed, %d unchanged), %d failures",
                spider.name,
                stored,
                self.totals.new,
                self.totals.changed,
                self.totals.unchanged,
                failures,
            )

    def refusal(self, refused: Refused) -> None:
        """A report the database refused: recorded as a failure of its own, like any other."""
        self.refused += 1
        self.crawler.stats.inc_value("govreports/reports_refused")
        reason = f"report not stored, the database refused it: {short_error(refused.error)}"
        record_failure(self.crawler, refused.item.page.url, REFUSED, reason)

    def keep_dead_letter(self, items: list, seen: list[str], exc: BaseException) -> None:
        """Keep a refused batch, with a failure saying so, for the next run to re-apply."""
        why = str(exc) if isinstance(exc, _DatabaseDown) else f"a batch write failed: {short_error(exc)}"
        self.database_down = self.database_down or why
        self.crawler.stats.set_value("govreports/database_down", self.database_down)
        path = self.dead_letters.keep(self.spider.name, self.run_id, items, [], seen, why)
        self.kept += len(items)
        self.crawler.stats.set_value("govreports/deadletters_kept", self.kept)
        record_failure(self.crawler, None, "database", f"{len(items)} reports kept as a dead letter ({why})")
        log.error(
            "%s: the database refused a batch of %d reports; kept in %s for the next run",
            self.spider.name,
            len(items),
            path,
        )

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.flush()  # held reports seen after close_spider
        if self.engine is not None:
            self.engine.dispose()


class _DatabaseDown(Exception):
    """The database was unreachable at open: no batch can be written in this run."""
