"""Every row a crawl stores about reports, by natural keys, to compare two databases (SQLite or
PostgreSQL): no ids, no timestamps, no crawl runs or failures (they differ from run to run)."""

from __future__ import annotations

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.storage.models import (
    Body,
    Document,
    Report,
    ReportMetric,
    ReportVersion,
    ValidationFinding,
)
from crawler.storage.store import decimal_text


def stored_rows(database_url: str) -> dict[str, list[tuple]]:
    engine = create_engine(database_url)
    try:
        with Session(engine) as s:
            key = {r.id: (r.body.name, r.report_year, r.title) for r in s.scalars(select(Report))}
            return {
                "bodies": sorted(
                    (b.name, b.level, b.region_code, b.parent.name if b.parent else None, b.portal)
                    for b in s.scalars(select(Body))
                ),
                "reports": sorted(
                    (
                        *key[r.id],
                        r.url,
                        r.canonical_url,
                        r.published_at,
                        r.published_precision,
                        r.source,
                        r.template,
                        r.content_hash,
                        r.list_date,
                        r.spider,
                        r.version,
                    )
                    for r in s.scalars(select(Report))
                ),
                "documents": sorted(
                    (
                        *key[d.report_id],
                        d.role,
                        d.url,
                        d.canonical_url,
                        d.name,
                        d.media_type,
                        d.size,
                        d.sha256,
                        d.storage_path,
                        d.extracted,
                        d.note,
                        d.etag,
                        d.last_modified,
                    )
                    for d in s.scalars(select(Document))
                ),
                "report_metrics": sorted(
                    (
                        *key[m.report_id],
                        m.metric_code or "",
                        m.scope,
                        m.applicant,
                        decimal_text(m.value) or "",
                        m.unit or "",
                        m.raw_label,
                        m.raw_value,
                        m.source,
                        m.location,
                    )
                    for m in s.scalars(select(ReportMetric))
                ),
                "validation_findings": sorted(
                    (*key[f.report_id], f.rule, f.severity, f.metric_code or "", f.detail)
                    for f in s.scalars(select(ValidationFinding))
                ),
                "report_versions": sorted(
                    (*key[v.report_id], v.version, v.content_hash) for v in s.scalars(select(ReportVersion))
                ),
            }
    finally:
        engine.dispose()
