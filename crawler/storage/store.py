"""Database writes of reports: idempotent upserts on natural keys, report versions, statistics.

Used by the storage pipeline (crawls) and `govreports reparse`. Every function works inside
the caller's transaction. Get-or-create goes through a savepoint, so two crawls writing the same
body or report at once (PostgreSQL) end with one row: the loser of the race reads the winner's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from crawler.items import TITLE_CUT, body_size
from crawler.parsing.model import ParsedReport
from crawler.storage.models import (
    Body,
    Document,
    Report,
    ReportMetric,
    ReportVersion,
    ValidationFinding,
)
from crawler.urls import canonicalize


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


def decimal_text(value: Decimal | None) -> str | None:
    """4.000000 (a NUMERIC column) -> "4"; 100 -> "100", never "1E+2"."""
    return None if value is None else format(value.normalize(), "f")


def get_or_create(session: Session, model: type, where: dict[str, Any], **defaults: Any) -> Any:
    return fetch_or_create(session, model, where, **defaults)[0]


def fetch_or_create(session: Session, model: type, where: dict[str, Any], **defaults: Any) -> tuple[Any, bool]:
    """(row, whether this call inserted it)."""
    found = session.scalar(select(model).filter_by(**where))
    if found is not None:
        return found, False
    try:
        with session.begin_nested():
            obj = model(**where, **defaults)
            session.add(obj)
            session.flush()
        return obj, True
    except IntegrityError:  # another writer inserted the same natural key meanwhile …
        raced = session.scalar(select(model).filter_by(**where))
        if raced is None:
            raise  # … or not: the row itself broke a rule (a CHECK), and is refused for it
        return raced, False


# SQLSTATE classes of an error that is the row's own: data exception (22: a value too long, a bad
# encoding), integrity constraint violation (23), program limit exceeded (54: an index row too big).
ROW_ERRORS = ("22", "23", "54")


def refused_row(exc: BaseException) -> bool:
    """Whether the database refused the row itself (the same row is refused again next time), as
    against the database failing (disk full, connection lost, lock timeout: any row would fail).
    Errors that are no database error at all (a bug meeting an odd value) are the row's too. An
    error a trigger raises is the database's own policy (PostgreSQL's RAISE is SQLSTATE P0001,
    SQLite's RAISE(ABORT) SQLITE_CONSTRAINT_TRIGGER): the batch waits as a dead letter."""
    if isinstance(exc, DBAPIError):
        if getattr(exc.orig, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_TRIGGER":
            return False
        if isinstance(exc, (DataError, IntegrityError)):
            return True
        state = getattr(exc.orig, "sqlstate", None) or ""
        return state[:2] in ROW_ERRORS
    return isinstance(exc, Exception)


def fit(column: Any, value: str | None) -> str | None:
    """A server-sent value cut to what its VARCHAR(n) column holds (a Content-Type's type part
    past 120 characters is garbage anyway); PostgreSQL would refuse the whole report otherwise."""
    length = getattr(column.type, "length", None)
    return value[:length] if value is not None and length is not None else value


def fits(column: Any, value: str | None) -> str | None:
    """The value if its column holds it whole, else None (for values that are useless cut)."""
    length = getattr(column.type, "length", None)
    return None if value is not None and length is not None and len(value) > length else value


def first_error(exc: BaseException) -> BaseException:
    """The error that failed a savepoint, not the one its rollback raised after: SQLite rolls the
    whole transaction back by itself on some errors (SQLITE_FULL: "database or disk is full"),
    and ROLLBACK TO SAVEPOINT then fails with "no such savepoint"."""
    while isinstance(exc, DBAPIError) and "no such savepoint" in str(exc) and exc.__context__ is not None:
        exc = exc.__context__
    return exc


@dataclass
class Refused:
    """A report the database would not hold: not stored, the rest of its batch stored."""

    item: Any
    error: BaseException


class ReportWriter:
    """Writes bodies and reports inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # bodies read or written in this transaction, by name: a batch's reports are mostly one
        # portal's, and a lookup plus a flush per report was a fifth of the writing
        self.bodies: dict[str, Body] = {}

    def write_each(
        self, items: list[tuple[Any, dict[str, str]]], now: datetime | None = None
    ) -> tuple[WriteCounts, list[Refused]]:
        """Write each (item, canonical URLs) in a savepoint of its own: a report the database
        refuses (`refused_row`) is rolled back alone and returned; a failing database raises."""
        counts, refused = WriteCounts(), []
        for item, canonical in items:
            try:
                with self.session.begin_nested():
                    done = self.write(item, canonical, now)
            except Exception as exc:  # noqa: BLE001 - sorted by refused_row
                self.bodies.clear()  # a body inserted inside the rolled-back savepoint is gone
                error = first_error(exc)
                if not refused_row(error):
                    raise error from None
                refused.append(Refused(item, error))
                continue
            counts.add(done)
        return counts, refused

    def body(
        self,
        name: str,
        *,
        level: str | None = None,
        region_code: str | None = None,
        parent: str | None = None,
        portal: str | None = None,
    ) -> Body:
        body = self.bodies.get(name)
        if body is None:
            body = self.bodies[name] = get_or_create(self.session, Body, {"name": name})
        elif (body.level or not level) and (body.region_code or not region_code) and (body.portal or not portal):
            if not parent or body.parent_id is not None or parent == name:
                return body  # nothing to fill in
        # fill what is missing, never overwrite what an earlier crawl established
        body.level = body.level or level
        body.region_code = body.region_code or region_code
        body.portal = body.portal or portal
        if parent and body.parent_id is None and parent != name:
            body.parent_id = self.body(parent).id
        self.session.flush()
        return body

    def write(self, item: Any, canonical: dict[str, str] | None = None, now: datetime | None = None) -> WriteCounts:
        """Insert or update one report (a crawler.items.ParsedItem). A new report, or one whose
        content changed, gets its documents, metrics and findings replaced as a set; a changed
        report's previous state is kept as a ReportVersion first."""
        now = now or utcnow()
        page, parsed = item.page, item.parsed
        body = self.body(
            page.body_name or "",
            level=page.body_level,
            region_code=page.region_code,
            parent=page.parent_body,
            portal=page.spider,
        )
        key = {"body_id": body.id, "report_year": item.year, "title": item.title}
        report, created = fetch_or_create(
            self.session,
            Report,
            key,
            first_seen=now,
            last_seen=now,
            spider=page.spider,
            url=page.url,
            canonical_url=page.canonical_url,
            content_hash="",
            version=1,
            version_seen_from=now,
        )
        counts = WriteCounts()
        if report.content_hash == item.content_hash:
            report.last_seen = now
            report.list_date = page.list_date or report.list_date
            counts.unchanged = 1
            return counts
        if report.content_hash:  # stored before with other content: the body edited it
            self.keep_version(report, now)
            report.version += 1
            report.version_seen_from = now
            counts.changed = 1
        else:
            counts.new = 1
        if not created:  # a row this call inserted has no documents, metrics or findings yet
            self.replace_children(report)
        md = parsed.metadata
        report.url = page.url
        report.canonical_url = page.canonical_url
        report.list_date = page.list_date
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

    def keep_version(self, report: Report, now: datetime) -> None:
        docs = self.session.scalars(select(Document).where(Document.report_id == report.id)).all()
        metrics = self.session.scalars(select(ReportMetric).where(ReportMetric.report_id == report.id)).all()
        self.session.add(
            ReportVersion(
                report_id=report.id,
                version=report.version,
                content_hash=report.content_hash,
                title=report.title,
                published_at=report.published_at,
                template=report.template,
                seen_from=report.version_seen_from or report.first_seen,
                replaced_at=now,
                documents=[
                    {
                        "role": d.role,
                        "url": d.url,
                        "name": d.name,
                        "media_type": d.media_type,
                        "sha256": d.sha256,
                        "storage_path": d.storage_path,
                    }
                    for d in docs
                ],
                metrics=[
                    {
                        "code": m.metric_code,
                        "scope": m.scope or None,
                        "applicant": m.applicant or None,
                        "value": decimal_text(m.value),
                        "unit": m.unit,
                        "raw_label": m.raw_label,
                        "raw_value": m.raw_value,
                        "source": m.source,
                    }
                    for m in metrics
                ],
            )
        )

    def mark_seen(self, spider: str, canonical_urls: list[str], now: datetime | None = None) -> None:
        """Reports an incremental crawl saw listed and skipped (crawler/middlewares/incremental.py): still there."""
        if canonical_urls:
            self.session.execute(
                update(Report)
                .where(Report.spider == spider, Report.canonical_url.in_(canonical_urls))
                .values(last_seen=now or utcnow())
            )

    def replace_children(self, report: Report) -> None:
        for model in (Document, ReportMetric, ValidationFinding):
            self.session.execute(delete(model).where(model.report_id == report.id))

    def replace_statistics(self, report: Report, parsed: ParsedReport) -> tuple[int, int]:
        """For `govreports reparse`: new parser, same documents; not a new version. A finding
        about the stored title (crawler.items.TITLE_CUT) is no parser's: it stays."""
        self.session.execute(delete(ReportMetric).where(ReportMetric.report_id == report.id))
        self.session.execute(
            delete(ValidationFinding).where(
                ValidationFinding.report_id == report.id, ValidationFinding.rule != TITLE_CUT
            )
        )
        report.template = parsed.template
        return self.add_statistics(report, parsed)

    def add_documents(self, report: Report, item: Any, canonical: dict[str, str], now: datetime) -> None:
        page = item.page
        extraction = item.parsed.extraction
        page_ok, page_note = extraction.get(page.url, (True, ""))
        rows = [
            Document(
                report_id=report.id,
                role="page",
                url=page.url,
                canonical_url=page.canonical_url,
                name=None,
                media_type=fit(Document.media_type, page.media_type),
                size=body_size(page),
                sha256=page.sha256,
                storage_path=page.storage_path,
                extracted=page_ok,
                note=page_note or None,
                # a validator too long to keep whole is no validator: the next crawl just fetches the page
                etag=fits(Document.etag, page.headers.get("ETag")),
                last_modified=fits(Document.last_modified, page.headers.get("Last-Modified")),
                fetched_at=now,
            )
        ]
        seen = {page.canonical_url}
        for a in page.attachments:
            url = canonical.get(a.url) or canonicalize(a.url)
            if url in seen:
                continue
            seen.add(url)
            if a.body is not None:
                ok, note = extraction.get(a.name or a.url, (False, "not parsed"))
            else:
                ok, note = False, a.error or "download failed"
            rows.append(
                Document(
                    report_id=report.id,
                    role="attachment",
                    url=a.url,
                    canonical_url=url,
                    name=a.name,
                    media_type=fit(Document.media_type, a.media_type),
                    size=body_size(a),
                    sha256=a.sha256,
                    storage_path=a.storage_path,
                    extracted=ok,
                    note=note or None,
                    fetched_at=now,
                )
            )
        self.session.add_all(rows)

    def add_statistics(self, report: Report, parsed: ParsedReport) -> tuple[int, int]:
        # plain rows, one executemany per table: ORM objects cost ~0.1 ms a row, most of the writing
        metrics = [
            dict(
                report_id=report.id,
                metric_code=m.code,
                scope=m.scope or "",
                applicant=m.applicant or "",
                value=m.value,
                unit=m.unit,
                raw_label=m.raw_label,
                raw_value=m.raw_value,
                source=m.source,
                location=m.location,
            )
            for m in parsed.metrics
        ]
        findings = [
            dict(report_id=report.id, rule=f.rule, severity=f.severity, metric_code=f.code, detail=f.detail)
            for f in parsed.findings
        ]
        self.session.flush()  # pending rows first, so their errors read as a flush's, not an autoflush's
        for model, rows in ((ReportMetric, metrics), (ValidationFinding, findings)):
            if rows:
                self.session.execute(insert(cast(Table, model.__table__)), rows)  # Core insert: its Table
        return len(metrics), len(findings)


@dataclass(frozen=True)
class HeldReport:
    """What an incremental crawl needs to know about a stored report (crawler/middlewares/incremental.py)."""

    list_date: str | None
    etag: str | None  # validators of the stored page
    last_modified: str | None
    last_seen: datetime
    complete: bool  # False when an attachment failed to download: fetch it again


def held_reports(session: Session, spider: str) -> dict[str, HeldReport]:
    """canonical URL -> HeldReport of every report of `spider` stored with its content. Read-only.
    A report row without content (content_hash '') is not held: on SQLite, get_or_create's
    savepoint commits the bare row even when its batch then fails (pysqlite's SAVEPOINT issue)."""
    incomplete = set(
        session.scalars(
            select(Document.report_id).join(Report).where(Report.spider == spider, Document.sha256.is_(None))
        )
    )
    rows = session.execute(
        select(
            Report.id, Report.canonical_url, Report.list_date, Report.last_seen, Document.etag, Document.last_modified
        )
        .outerjoin(Document, (Document.report_id == Report.id) & (Document.role == "page"))
        .where(Report.spider == spider, Report.content_hash != "")
    ).all()
    return {
        url: HeldReport(list_date, etag, last_modified, last_seen, report_id not in incomplete)
        for report_id, url, list_date, last_seen, etag, last_modified in rows
    }
