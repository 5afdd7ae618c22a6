"""Write parsed reports to the database in batches, each batch in one transaction; keep one
crawl-run row per run with its counts and every failure recorded during the run."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine

from crawler.db import ensure_schema, session_factory
from crawler.models import CrawlFailure, CrawlRun
from crawler.runrecord import record_failure, take_failures
from crawler.store import ReportWriter, WriteCounts, utcnow
from pipelines.parse import ParsedItem

log = logging.getLogger(__name__)


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.url: str = crawler.settings.get("GOVREPORTS_DATABASE_URL")
        self.batch_size = crawler.settings.getint("GOVREPORTS_BATCH_SIZE", 20)
        self.pending: list[ParsedItem] = []
        self.totals = WriteCounts()
        self.items = 0
        self.rejected = 0
        self.engine: Engine | None = None
        self.run_id: int | None = None
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.engine = ensure_schema(self.url)
        self.sessions = session_factory(self.engine)
        with self.sessions.begin() as session:
            run = CrawlRun(spider=self.crawler.spider.name, started_at=utcnow(), outcome="running")
            session.add(run)
            session.flush()
            self.run_id = run.id

    def process_item(self, item: ParsedItem) -> ParsedItem:
        self.items += 1
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        self.rejected += 1
        url = getattr(item, "url", None) or getattr(getattr(item, "page", None), "url", None)
        record_failure(self.crawler, url, "rejected_item", str(exception))

    def flush(self) -> None:
        """Write the pending items and failures in one transaction."""
        batch, self.pending = self.pending, []
        failures = take_failures(self.crawler)
        if not batch and not failures:
            return
        spider = self.crawler.spider
        with self.sessions.begin() as session:
            writer = ReportWriter(session)
            for item in batch:
                canonical = {a.url: spider.canonical_url(a.url) for a in item.page.attachments} if hasattr(spider, "canonical_url") else {}
                self.totals.add(writer.write(item, canonical))
            for f in failures:
                session.add(CrawlFailure(run_id=self.run_id, url=f.url, kind=f.kind, reason=f.reason, at=f.at))
        stats = self.crawler.stats
        for name in ("new", "changed", "unchanged"):
            stats.set_value(f"govreports/reports_{name}", getattr(self.totals, name))

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.run_id is None:
            return
        self.flush()  # failures recorded after close_spider
        stored = self.totals.new + self.totals.changed + self.totals.unchanged
        with self.sessions.begin() as session:
            run = session.get(CrawlRun, self.run_id)
            run.finished_at = utcnow()
            run.finish_reason = reason
            run.items_scraped = self.items
            run.items_rejected = self.rejected
            run.reports_new = self.totals.new
            run.reports_changed = self.totals.changed
            run.reports_unchanged = self.totals.unchanged
            run.metrics_written = self.totals.metrics
            run.findings_written = self.totals.findings
            run.outcome = "ok" if stored else "empty"
            run.stats = _jsonable(self.crawler.stats.get_stats())
        log.info(
            "crawl run %s: %d reports (%d new, %d changed, %d unchanged), %d rejected, %d metrics, %d findings",
            self.run_id, stored, self.totals.new, self.totals.changed, self.totals.unchanged,
            self.rejected, self.totals.metrics, self.totals.findings,
        )
        self.engine.dispose()


def _jsonable(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in stats.items()
            if isinstance(v, (int, float, str, bool, datetime)) or v is None}
