"""The analysts' SQL views: one definition each, plain SQL that SQLite and PostgreSQL both run.

Migration 0004 creates them and its downgrade drops them; the export, docs/analysts.md and the
tests read the same names from here. The views turn the '' of the dimension columns back into
NULL and join in body, year and the metric dictionary, so a query never needs the raw tables.

A migration that later changes a table a view reads must drop the views first and create them
again afterwards (`drop_views()` / `create_views()`): SQLite's table rebuild in batch mode and
PostgreSQL's ALTER COLUMN both refuse to touch a table a view depends on. Changing a view's SQL
means a new migration that replaces it; copy the old SQL into the old migration then, so that
migration keeps building the schema it always built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any


def _pick(code: str) -> str:
    return f"MAX(CASE WHEN metric_code = '{code}' THEN value END)"


# The headline columns of report_summary: column -> (SQL over the report's picked metrics,
# meaning). Each metric is read from one row per report: scope 'region' before 'self' before ''
# (a legacy report may print its table for 本行政区域 and for 本级), applicant 'total' before ''.
HEADLINE_COLUMNS: dict[str, tuple[str, str]] = {
    "proactive_total": (
        _pick("proactive.total"),
        "主动公开政府信息数: legacy proactive.total (2019+ only when the prose states it)",
    ),
    "applications": (
        f"COALESCE({_pick('applications.received')}, {_pick('apps.new')})",
        "申请数: legacy applications.received, else 2019+ apps.new (applicant total)",
    ),
    "disclosed": (
        f"COALESCE({_pick('applications.answer.granted')}, {_pick('apps.result.disclosed')})",
        "予以公开: legacy applications.answer.granted (同意公开), else 2019+ apps.result.disclosed",
    ),
    "partially_disclosed": (
        f"COALESCE({_pick('applications.answer.partially_granted')}, {_pick('apps.result.partial')})",
        "部分公开: legacy applications.answer.partially_granted, else 2019+ apps.result.partial",
    ),
    "review_total": (_pick("review.total"), "行政复议: review.total (same code in every template)"),
    "review_corrected": (_pick("review.corrected"), "行政复议被纠错: review.corrected"),
    "litigation_total": (
        f"COALESCE({_pick('litigation.total')}, "
        f"{_pick('litigation.direct.total')} + {_pick('litigation.after_review.total')})",
        "行政诉讼: legacy litigation.total, else 2019+ litigation.direct.total + "
        "litigation.after_review.total when both are present",
    ),
}

HEADLINE_CODES = tuple(
    dict.fromkeys(re.findall(r"metric_code = '([^']+)'", " ".join(sql for sql, _ in HEADLINE_COLUMNS.values())))
)
_HEADLINE_SELECT = ",\n       ".join(f"{sql} AS {name}" for name, (sql, _) in HEADLINE_COLUMNS.items())
_CODES = ", ".join(f"'{code}'" for code in HEADLINE_CODES)

REPORT_SUMMARY = f"""
WITH ranked AS (
  SELECT report_id, metric_code, value,
         ROW_NUMBER() OVER (
           PARTITION BY report_id, metric_code
           ORDER BY CASE scope WHEN 'region' THEN 0 WHEN 'self' THEN 1 ELSE 2 END,
                    CASE applicant WHEN 'total' THEN 0 ELSE 1 END
         ) AS pick
  FROM report_metrics
  WHERE metric_code IN ({_CODES}) AND applicant IN ('total', '')
),
headline AS (
  SELECT report_id,
       {_HEADLINE_SELECT}
  FROM ranked
  WHERE pick = 1
  GROUP BY report_id
)
SELECT r.id AS report_id,
       b.name AS body,
       b.level AS level,
       b.region_code AS region_code,
       p.name AS parent_body,
       r.spider AS spider,
       r.report_year AS year,
       r.title AS title,
       r.published_at AS published_at,
       r.template AS template,
       r.url AS url,
       r.version AS version,
       {", ".join(f"h.{name} AS {name}" for name in HEADLINE_COLUMNS)},
       (SELECT COUNT(*) FROM report_metrics m WHERE m.report_id = r.id) AS metrics,
       (SELECT COUNT(*) FROM validation_findings f WHERE f.report_id = r.id) AS findings
FROM reports r
JOIN bodies b ON b.id = r.body_id
LEFT JOIN bodies p ON p.id = b.parent_id
LEFT JOIN headline h ON h.report_id = r.id
"""

METRIC_VALUES = """
SELECT m.id AS metric_id,
       r.id AS report_id,
       b.name AS body,
       b.level AS level,
       r.spider AS spider,
       r.report_year AS year,
       r.template AS template,
       m.metric_code AS code,
       d.label_zh AS label_zh,
       d.section AS section,
       NULLIF(m.scope, '') AS scope,
       NULLIF(m.applicant, '') AS applicant,
       m.value AS value,
       m.unit AS unit,
       m.raw_label AS raw_label,
       m.raw_value AS raw_value,
       m.source AS source,
       m.location AS location
FROM report_metrics m
JOIN reports r ON r.id = m.report_id
JOIN bodies b ON b.id = r.body_id
LEFT JOIN metric_definitions d ON d.code = m.metric_code
"""

OPEN_FINDINGS = """
SELECT f.id AS finding_id,
       r.id AS report_id,
       b.name AS body,
       r.spider AS spider,
       r.report_year AS year,
       r.title AS title,
       f.rule AS rule,
       f.severity AS severity,
       f.metric_code AS code,
       f.detail AS detail
FROM validation_findings f
JOIN reports r ON r.id = f.report_id
JOIN bodies b ON b.id = r.body_id
"""

VIEWS: dict[str, str] = {
    "report_summary": REPORT_SUMMARY,
    "metric_values": METRIC_VALUES,
    "open_findings": OPEN_FINDINGS,
}


def create_views(execute: Callable[[str], object]) -> None:
    """Create every view; `execute` runs one SQL statement (alembic's op.execute)."""
    for name, sql in VIEWS.items():
        execute(f"CREATE VIEW {name} AS {sql}")


def drop_views(execute: Callable[[str], object]) -> None:
    for name in reversed(VIEWS):
        execute(f"DROP VIEW IF EXISTS {name}")


def widen_to_text(op: Any, columns: Sequence[tuple[str, str, Any]]) -> None:
    """For a migration: (table, column, old type) columns become TEXT, the views dropped before
    and created again after (SQLite rebuilds each table in batch mode; its VARCHAR(n) never
    limited anything, PostgreSQL's does)."""
    import sqlalchemy as sa

    drop_views(op.execute)
    for table, column, old in columns:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, type_=sa.Text(), existing_type=old)
    create_views(op.execute)


def narrow_from_text(op: Any, columns: Sequence[tuple[str, str, Any]]) -> None:
    """The downgrade of `widen_to_text`: values longer than the old limits are cut to fit first
    (PostgreSQL refuses them otherwise)."""
    import sqlalchemy as sa

    drop_views(op.execute)
    for table, column, old in columns:
        limit = old.length
        op.execute(
            sa.text(f"UPDATE {table} SET {column} = substr({column}, 1, {limit}) WHERE length({column}) > {limit}")
        )
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, type_=old, existing_type=sa.Text())
    create_views(op.execute)
