"""`govreports reparse`: rebuild the statistics of stored reports from the raw archive with the
current parser — no network. Each report's documents (page first, then attachments in the order
they were stored) are read back by sha256 and parsed by `parse_documents`, the crawl's own
function; ReportWriter.replace_statistics swaps its metrics and findings (not a new version: the
report did not change, the parser did). A report with an archive entry missing keeps its rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crawler.parsing.report import SourceDocument, parse_documents
from crawler.storage.models import Document, Report, ReportMetric, ValidationFinding
from crawler.storage.objectstore import RawArchive
from crawler.storage.store import ReportWriter

log = logging.getLogger(__name__)


@dataclass
class ReparseCounts:
    reports: int = 0  # reparsed
    metrics_before: int = 0
    metrics_after: int = 0
    findings_before: int = 0
    findings_after: int = 0
    missing: list[str] = field(default_factory=list)  # "title: url (sha256)" left as they were
    failed: list[str] = field(default_factory=list)  # "title: error" of a parser exception


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
        if not archive.has(d.sha256):
            raise FileNotFoundError(f"{d.url} ({d.sha256})")
        name = d.url if d.role == "page" else (d.name or d.url)  # as pipelines.parse.source_documents names them
        out.append(SourceDocument(name, archive.get(d.sha256), d.media_type, d.role))
    return out


def reparse(session: Session, archive: RawArchive, spider: str | None = None) -> ReparseCounts:
    """Reparse every stored report (or one spider's), one transaction per report."""
    counts = ReparseCounts()
    query = select(Report).order_by(Report.id)
    if spider:
        query = query.where(Report.spider == spider)
    for report in session.scalars(query).all():
        try:
            docs = source_documents(session, report, archive)
            parsed = parse_documents(docs, url=report.url, list_title=report.title)
        except FileNotFoundError as exc:
            counts.missing.append(f"{report.title}: {exc}")
            continue
        except Exception as exc:  # a parser bug on one report must not stop the others
            log.exception("parser failed on %s", report.url)
            counts.failed.append(f"{report.title}: {type(exc).__name__}: {exc}")
            continue
        metrics, findings = _count(session, ReportMetric, report), _count(session, ValidationFinding, report)
        added_metrics, added_findings = ReportWriter(session).replace_statistics(report, parsed)
        session.commit()
        counts.reports += 1
        counts.metrics_before += metrics
        counts.findings_before += findings
        counts.metrics_after += added_metrics
        counts.findings_after += added_findings
    return counts


def _count(session: Session, model: type, report: Report) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.report_id == report.id))
