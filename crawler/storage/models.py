"""The relational schema (SQLAlchemy 2 typed models). Alembic migrations own the schema in
every database; tests check that these models and the migrations never drift apart.

Natural keys make every write idempotent: bodies by name, reports by (body, year, title),
documents by (report, canonical URL), metrics by (report, code, scope, applicant). Dimension
columns hold '' rather than NULL where a metric has no such dimension, because NULLs are never
equal in a unique constraint (SQLite and PostgreSQL alike); the views turn '' back into NULL.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names so Alembic migrations are reproducible on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Body(Base):
    """A government body (agency) that publishes reports."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)  # TEXT since migration 0006
    level: Mapped[str | None] = mapped_column(String(20))  # province|city|county|district|department|zone
    region_code: Mapped[str | None] = mapped_column(String(12))  # 行政区划代码
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    portal: Mapped[str | None] = mapped_column(String(50))  # spider that found it

    parent: Mapped[Body | None] = relationship(remote_side=[id])
    reports: Mapped[list[Report]] = relationship(back_populates="body")


class Report(Base):
    """One annual report of one body for one year."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("body_id", "report_year", "title", name="uq_reports_natural_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    report_year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(Text)  # at most store.TITLE_MAX characters (migration 0005)
    url: Mapped[str] = mapped_column(Text)  # as fetched (a mirror's URL in the demo)
    canonical_url: Mapped[str] = mapped_column(Text, index=True)  # TEXT since migration 0006
    published_at: Mapped[date | None] = mapped_column(Date)
    published_precision: Mapped[str | None] = mapped_column(String(5))  # day|month|year
    source: Mapped[str | None] = mapped_column(Text)  # 信息来源 / 作者 line
    template: Mapped[str | None] = mapped_column(String(20))  # legacy|gov2019|gov2021|other|narrative
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the page and its attachments
    list_date: Mapped[str | None] = mapped_column(String(40))  # the date the portal's list shows
    spider: Mapped[str] = mapped_column(String(50))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)

    body: Mapped[Body] = relationship(back_populates="reports")
    documents: Mapped[list[Document]] = relationship(back_populates="report", cascade="all, delete-orphan")
    metrics: Mapped[list[ReportMetric]] = relationship(back_populates="report", cascade="all, delete-orphan")
    findings: Mapped[list[ValidationFinding]] = relationship(back_populates="report", cascade="all, delete-orphan")
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportVersion.version"
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # current version number
    version_seen_from: Mapped[datetime | None] = mapped_column(DateTime)  # when the current state was stored


class Document(Base):
    """A fetched page or attachment of a report; its raw bytes live in the archive."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("report_id", "canonical_url", name="uq_documents_natural_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # page | attachment
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(Text)  # TEXT since migration 0006
    name: Mapped[str | None] = mapped_column(Text)  # the file name as given, whole
    media_type: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    storage_path: Mapped[str | None] = mapped_column(Text)  # relative to the archive root
    extracted: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)  # why not extracted / download error
    etag: Mapped[str | None] = mapped_column(String(200))  # validators for conditional re-fetches
    last_modified: Mapped[str | None] = mapped_column(String(100))
    fetched_at: Mapped[datetime] = mapped_column(DateTime)

    report: Mapped[Report] = relationship(back_populates="documents")


class MetricDefinition(Base):
    """The metric dictionary (crawler/data/metrics.csv), loaded by the migrations."""

    __tablename__ = "metric_definitions"

    code: Mapped[str] = mapped_column(String(100), primary_key=True)
    section: Mapped[str] = mapped_column(String(50))
    label_zh: Mapped[str] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(10))
    templates: Mapped[str] = mapped_column(String(50))
    dimensions: Mapped[str] = mapped_column(String(50))
    notes: Mapped[str] = mapped_column(Text)


class ReportMetric(Base):
    """One statistic of a report, with its raw label and raw value beside the normalised value."""

    __tablename__ = "report_metrics"
    __table_args__ = (
        UniqueConstraint("report_id", "metric_code", "scope", "applicant", name="uq_report_metrics_natural_key"),
        Index("ix_report_metrics_code", "metric_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    # NULL for a row whose label matches no code (kept raw, with a finding)
    metric_code: Mapped[str | None] = mapped_column(ForeignKey("metric_definitions.code"))
    scope: Mapped[str] = mapped_column(String(10), default="")  # self | region | ''
    applicant: Mapped[str] = mapped_column(String(20), default="")  # natural_person … total | ''
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))
    unit: Mapped[str | None] = mapped_column(String(10))
    raw_label: Mapped[str] = mapped_column(Text)
    raw_value: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10))  # table | text
    location: Mapped[str] = mapped_column(Text, default="")  # document and table/row/col or line

    report: Mapped[Report] = relationship(back_populates="metrics")


class ValidationFinding(Base):
    """A finding about a report: a broken 勾稽 rule, a missing cell, an unmapped label …"""

    __tablename__ = "validation_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(10))
    metric_code: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text)

    report: Mapped[Report] = relationship(back_populates="findings")


class CrawlRun(Base):
    """One run of one spider, with its counts and outcome."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spider: Mapped[str] = mapped_column(String(50), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20), default="running")  # running|ok|empty|failed
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    items_scraped: Mapped[int] = mapped_column(Integer, default=0)
    items_rejected: Mapped[int] = mapped_column(Integer, default=0)
    reports_new: Mapped[int] = mapped_column(Integer, default=0)
    reports_changed: Mapped[int] = mapped_column(Integer, default=0)
    reports_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    metrics_written: Mapped[int] = mapped_column(Integer, default=0)
    findings_written: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # responses received
    failures_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failure_rate: Mapped[float | None] = mapped_column(Float)  # failed requests / requests
    exit_reason: Mapped[str | None] = mapped_column(Text)  # why the run is not "ok"
    summary: Mapped[dict | None] = mapped_column(JSON)  # the end-of-crawl summary, as logged
    stats: Mapped[dict | None] = mapped_column(JSON)  # Scrapy's stats at the end

    failures: Mapped[list[CrawlFailure]] = relationship(back_populates="run", cascade="all, delete-orphan")


class CrawlFailure(Base):
    """Something a crawl run could not do: a rejected item, a failed download."""

    __tablename__ = "crawl_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    # download | http_status | attachment | blocked | offsite | rejected_item | refused_report |
    # archive | database | deadletter (docs/operations.md)
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)

    run: Mapped[CrawlRun] = relationship(back_populates="failures")


class ReportVersion(Base):
    """A previous state of a report, kept when a body edits a report after publishing: the
    content hash, metadata and a snapshot of its documents and statistics at that time."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "version", name="uq_report_versions_natural_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # 1 = the first state seen
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[date | None] = mapped_column(Date)
    template: Mapped[str | None] = mapped_column(String(20))
    seen_from: Mapped[datetime] = mapped_column(DateTime)  # when this state was first stored
    replaced_at: Mapped[datetime] = mapped_column(DateTime)  # when a changed state replaced it
    documents: Mapped[list] = mapped_column(JSON)  # [{role, url, sha256, storage_path, media_type}]
    metrics: Mapped[list] = mapped_column(JSON)  # [{code, scope, applicant, value, unit, raw_label, raw_value, source}]

    report: Mapped[Report] = relationship(back_populates="versions")
