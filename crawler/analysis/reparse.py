"""`govreports reparse`: rebuild the statistics of stored reports from the raw archive with the
current parser — no network. Each report's documents (page first, then attachments in the order
they were stored) are read back by sha256 and parsed by `parse_documents`, the crawl's own
function, in parse worker processes (crawler/parsepool.py); ReportWriter.replace_statistics swaps
its metrics and findings and sets each document's `extracted`/`note` anew (not a new version: the
report did not change, the parser did). A report with an archive entry missing keeps its rows."""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crawler.parsepool import ParsePool
from crawler.parsing.limits import DEFAULT, Limits
from crawler.parsing.report import SourceDocument, parse_documents
from crawler.storage.models import CrawlRun, Document, Report, ReportMetric, ValidationFinding
from crawler.storage.objectstore import RawArchive
from crawler.storage.store import ReportWriter

log = logging.getLogger(__name__)

PARSE_DOCUMENTS = "crawler.parsing.report:parse_documents"  # the crawl's own parse function


@dataclass
class ReparseCounts:
    reports: int = 0  # reparsed
    metrics_before: int = 0
    metrics_after: int = 0
    findings_before: int = 0
    findings_after: int = 0
    missing: list[str] = field(default_factory=list)  # "title: url (sha256)" left as they were
    failed: list[str] = field(default_factory=list)  # "title: error" of a parser exception


ARCHIVE_STAT = "govreports/archive"  # where a crawl kept its raw bodies (pipelines/archive.py)


def recorded_archive(session: Session, spider: str | None = None) -> str | None:
    """The archive (a folder or s3:// URL) the database's latest crawl (of `spider`) recorded in
    its crawl_runs.stats, or None when no finished run recorded one."""
    query = select(CrawlRun.stats).where(CrawlRun.stats.is_not(None)).order_by(CrawlRun.id.desc()).limit(50)
    if spider:
        query = query.where(CrawlRun.spider == spider)
    for stats in session.scalars(query):
        if isinstance(stats, dict) and stats.get(ARCHIVE_STAT):
            return str(stats[ARCHIVE_STAT])
    return None


def source_documents(session: Session, report: Report, archive: RawArchive) -> list[SourceDocument]:
    """The report's documents as the crawl parsed them: the page first, then the attachments
    that were downloaded (a failed download was not parsed then either). FileNotFoundError
    names the first archive entry missing."""
    docs = session.scalars(
        select(Document)
        .where(Document.report_id == report.id, Document.sha256.is_not(None))
        .order_by(case((Document.role == "page", 0), else_=1), Document.id)
    ).all()
    out = []
    for d in docs:
        assert d.sha256 is not None  # selected where sha256 is not NULL
        if not archive.has(d.sha256):
            raise FileNotFoundError(f"{d.url} ({d.sha256})")
        name = d.url if d.role == "page" else (d.name or d.url)  # as pipelines.parse.source_documents names them
        out.append(SourceDocument(name, archive.get(d.sha256), d.media_type, d.role))
    return out


def reparse(
    session: Session,
    archive: RawArchive,
    spider: str | None = None,
    *,
    workers: int | None = None,
    timeout: float | None = None,
    limits: Limits = DEFAULT,
) -> ReparseCounts:
    """Reparse every stored report (or one spider's), one transaction per report, in the order
    stored. The parsing runs in `workers` parse worker processes (crawler/parsepool.py; None: one
    per core, 0: in this process), at most two reports per worker read ahead; a report whose
    worker crashed or took longer than `timeout` seconds counts as failed and keeps its rows.
    `limits`: the bounds on each document, as in the crawl (crawler/settings.py parse_limits)."""
    counts = ReparseCounts()
    query = select(Report).order_by(Report.id)
    if spider:
        query = query.where(Report.spider == spider)
    pool = ParsePool(workers, timeout) if workers != 0 else None
    ahead: deque[tuple[Report, Future | None, Exception | None]] = deque()
    try:
        for report in session.scalars(query).all():
            ahead.append(_submitted(session, archive, report, pool, limits))
            if len(ahead) >= 2 * (pool.size if pool else 1):
                _store(session, *ahead.popleft(), counts)
        while ahead:
            _store(session, *ahead.popleft(), counts)
    finally:
        if pool is not None:
            pool.close()
    return counts


def _submitted(
    session: Session, archive: RawArchive, report: Report, pool: ParsePool | None, limits: Limits = DEFAULT
) -> tuple[Report, Future | None, Exception | None]:
    """The report with its parse under way (in the pool), or done (here), or its archive error."""
    try:
        docs = source_documents(session, report, archive)
    except FileNotFoundError as exc:
        return report, None, exc
    kwargs: dict[str, Any] = {"url": report.url, "list_title": report.title, "limits": limits}
    if pool is not None:
        return report, pool.submit(PARSE_DOCUMENTS, docs, **kwargs), None
    future: Future = Future()
    try:
        future.set_result(parse_documents(docs, **kwargs))
    except Exception as exc:  # noqa: BLE001 - reported with the report, as from the pool
        future.set_exception(exc)
    return report, future, None


def _store(
    session: Session, report: Report, future: Future | None, missing: Exception | None, counts: ReparseCounts
) -> None:
    if future is None:
        counts.missing.append(f"{report.title}: {missing}")
        return
    try:
        parsed = future.result()
    except Exception as exc:  # a parser bug (or a crashed or hung worker) on one report must not stop the others
        log.error("parser failed on %s: %s: %s", report.url, type(exc).__name__, exc)
        counts.failed.append(f"{report.title}: {type(exc).__name__}: {exc}")
        return
    metrics, findings = _count(session, ReportMetric, report), _count(session, ValidationFinding, report)
    added_metrics, added_findings = ReportWriter(session).replace_statistics(report, parsed)
    _mark_extraction(session, report, parsed.extraction)
    session.commit()
    counts.reports += 1
    counts.metrics_before += metrics
    counts.findings_before += findings
    counts.metrics_after += added_metrics
    counts.findings_after += added_findings


def _mark_extraction(session: Session, report: Report, extraction: dict[str, tuple[bool, str]]) -> None:
    """Each archived document's `extracted`/`note` as this parse found them (a bound raised since
    the crawl, a converter installed since): named as in `source_documents`."""
    for d in session.scalars(select(Document).where(Document.report_id == report.id, Document.sha256.is_not(None))):
        name = d.url if d.role == "page" else (d.name or d.url)
        if name in extraction:
            ok, note = extraction[name]
            d.extracted, d.note = ok, note or None


def _count(session: Session, model: type[ReportMetric] | type[ValidationFinding], report: Report) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.report_id == report.id)) or 0
