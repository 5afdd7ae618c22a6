"""Write parsed reports to the database: idempotent upserts on natural keys, in batches, each
batch in one transaction; one crawl-run row per run with its counts and every dropped item."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from crawler.db import ensure_schema, session_factory
from crawler.models import (
    Body,
    CrawlFailure,
    CrawlRun,
    Document,
    Report,
    ReportMetric,
    ValidationFinding,
)
from crawler.urls import canonicalize
from pipelines.parse import ParsedItem

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class WriteCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    metrics: int = 0
    findings: int = 0

    def add(self, other: WriteCounts) -> None:
        for name in ("new", "changed", "unchanged", "metrics", "findings"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class ReportWriter:
    """Idempotent writes of bodies and reports inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def body(self, name: str, *, level: str | None = None, region_code: str | None = None,
             parent: str | None = None, portal: str | None = None) -> Body:
        body = self.session.scalar(select(Body).where(Body.name == name))
        if body is None:
            body = Body(name=name)
            self.session.add(body)
        # fill what is missing, never overwrite what an earlier crawl established
        body.level = body.level or level
        body.region_code = body.region_code or region_code
        body.portal = body.portal or portal
        if parent and body.parent_id is None and parent != name:
            body.parent = self.body(parent)
        self.session.flush()
        return body

    def write(self, item: ParsedItem, canonical: dict[str, str] | None = None, now: datetime | None = None) -> WriteCounts:
        """Insert or update one report; its documents, metrics and findings are replaced as a set
        when the report is new or its content changed."""
        now = now or utcnow()
        page, parsed = item.page, item.parsed
        body = self.body(page.body_name or "", level=page.body_level, region_code=page.region_code,
                         parent=page.parent_body, portal=page.spider)
        report = self.session.scalar(
            select(Report).where(Report.body_id == body.id, Report.report_year == item.year, Report.title == item.title)
        )
        counts = WriteCounts()
        if report is not None and report.content_hash == item.content_hash:
            report.last_seen = now
            counts.unchanged = 1
            return counts
        if report is None:
            report = Report(body=body, report_year=item.year, title=item.title, first_seen=now, spider=page.spider)
            self.session.add(report)
            counts.new = 1
        else:
            counts.changed = 1
            self.replace_children(report)
        md = parsed.metadata
        report.url = page.url
        report.canonical_url = page.canonical_url
        report.published_at = md.published_at
        report.published_precision = md.published_precision
        report.source = md.source
        report.template = parsed.template
        report.content_hash = item.content_hash
        report.last_seen = now
        self.session.flush()
        self.add_documents(report, item, canonical or {}, now)
        counts.metrics, counts.findings = self.add_statistics(report, parsed)
        return counts

    def replace_children(self, report: Report) -> None:
        for model in (Document, ReportMetric, ValidationFinding):
            self.session.execute(delete(model).where(model.report_id == report.id))

    def add_documents(self, report: Report, item: ParsedItem, canonical: dict[str, str], now: datetime) -> None:
        page = item.page
        extraction = item.parsed.extraction
        page_ok, page_note = extraction.get(page.url, (True, ""))
        rows = [
            Document(report_id=report.id, role="page", url=page.url, canonical_url=page.canonical_url, name=None,
                     media_type=page.media_type, size=len(page.body), sha256=page.sha256,
                     storage_path=page.storage_path, extracted=page_ok, note=page_note or None, fetched_at=now)
        ]
        seen = {page.canonical_url}
        for a in page.attachments:
            url = canonical.get(a.url) or canonicalize(a.url)
            if url in seen:
                continue
            seen.add(url)
            ok, note = extraction.get(a.name or a.url, (False, "")) if a.body is not None else (False, a.error or "download failed")
            rows.append(
                Document(report_id=report.id, role="attachment", url=a.url, canonical_url=url, name=a.name,
                         media_type=a.media_type, size=len(a.body) if a.body is not None else None,
                         sha256=a.sha256, storage_path=a.storage_path, extracted=ok, note=note or None, fetched_at=now)
            )
        self.session.add_all(rows)

    def add_statistics(self, report: Report, parsed: Any) -> tuple[int, int]:
        metrics = [
            ReportMetric(report_id=report.id, metric_code=m.code, scope=m.scope or "", applicant=m.applicant or "",
                         value=m.value, unit=m.unit, raw_label=m.raw_label, raw_value=m.raw_value,
                         source=m.source, location=m.location)
            for m in parsed.metrics
        ]
        findings = [
            ValidationFinding(report_id=report.id, rule=f.rule, severity=f.severity, metric_code=f.code, detail=f.detail)
            for f in parsed.findings
        ]
        self.session.add_all(metrics)
        self.session.add_all(findings)
        return len(metrics), len(findings)


@dataclass
class PendingFailure:
    url: str | None
    kind: str
    reason: str
    at: datetime = field(default_factory=utcnow)


class StoragePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.url: str = crawler.settings.get("GOVREPORTS_DATABASE_URL")
        self.batch_size = crawler.settings.getint("GOVREPORTS_BATCH_SIZE", 20)
        self.pending: list[ParsedItem] = []
        self.failures: list[PendingFailure] = []
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
        log.warning("rejected item %s: %s", url, exception)
        self.failures.append(PendingFailure(url, "rejected_item", str(exception)))

    def flush(self) -> None:
        """Write the pending items in one transaction."""
        if not self.pending and not self.failures:
            return
        batch, self.pending = self.pending, []
        failures, self.failures = self.failures, []
        spider = self.crawler.spider
        with self.sessions.begin() as session:
            writer = ReportWriter(session)
            for item in batch:
                canonical = {a.url: spider.canonical_url(a.url) for a in item.page.attachments} if hasattr(spider, "canonical_url") else {}
                self.totals.add(writer.write(item, canonical))
            for f in failures:
                session.add(CrawlFailure(run_id=self.run_id, url=f.url, kind=f.kind, reason=f.reason, at=f.at))
        self.crawler.stats.set_value("govreports/reports_new", self.totals.new)
        self.crawler.stats.set_value("govreports/reports_changed", self.totals.changed)
        self.crawler.stats.set_value("govreports/reports_unchanged", self.totals.unchanged)

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.run_id is None:
            return
        self.flush()  # drops signalled after close_spider
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
