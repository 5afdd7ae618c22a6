"""The analysts' views (migration 0004) on SQLite and PostgreSQL: created and dropped with the
schema, the same rows on both, headline columns picked by the documented rules.

Expected numbers are typed from tests/seeds/002 (诸城市 2017, two 统计表: 市本级 and 本行政区域)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from crawler.items import ParsedItem, ReportPage, validate
from crawler.parsing.model import Finding, Metadata, MetricValue, ParsedReport
from crawler.parsing.report import parse_file
from crawler.storage import db
from crawler.storage.store import ReportWriter
from crawler.storage.views import HEADLINE_COLUMNS, VIEWS
from tests.conftest import SEEDS
from tests.seednumbers import value, values

ZHUCHENG_URL = "http://www.zhucheng.gov.cn/zwgk/xxgkndbg/201803/t20180329_1.html"
SYNTHETIC_URL = "http://example.gov.cn/2019.html"


def seed_item(
    prefix: str,
    *,
    spider: str,
    url: str,
    body_name: str | None = None,
    body_level: str | None = None,
    region_code: str | None = None,
    parent_body: str | None = None,
) -> ParsedItem:
    """A seed report (tests/seeds/<prefix>_*.txt) parsed and validated as the crawl does."""
    (seed,) = SEEDS.glob(f"{prefix}_*.txt")
    page = ReportPage(
        spider=spider,
        url=url,
        canonical_url=url,
        body=seed.read_bytes(),
        media_type="text/plain",
        body_name=body_name,
        body_level=body_level,
        region_code=region_code,
        parent_body=parent_body,
    )
    return validate(page, parse_file(seed))


def zhucheng_2017() -> ParsedItem:
    return seed_item(
        "002",
        spider="zhucheng",
        url=ZHUCHENG_URL,
        body_name="诸城市人民政府",
        body_level="county",
        region_code="370782",
        parent_body="潍坊市人民政府",
    )


def synthetic_2019() -> ParsedItem:
    """A 2019-format report whose numbers are made up here: litigation in two 表四 blocks,
    applications per applicant, one finding."""
    page = ReportPage(
        spider="zhucheng",
        url=SYNTHETIC_URL,
        canonical_url=SYNTHETIC_URL,
        body=b"synthetic",
        body_name="诸城市人民政府",
        body_level="county",
    )
    parsed = ParsedReport(
        metadata=Metadata(
            title="诸城市人民政府2019年政府信息公开工作年度报告",
            year=2019,
            published_at=date(2020, 1, 31),
            published_precision="day",
        ),
        template="gov2019",
        metrics=[
            MetricValue("apps.new", Decimal(12), "件", "一、本年新收政府信息公开申请数量", "12", applicant="total"),
            MetricValue(
                "apps.new", Decimal(10), "件", "一、本年新收政府信息公开申请数量", "10", applicant="natural_person"
            ),
            MetricValue("review.total", Decimal(3), "件", "行政复议 > 总计", "3"),
            MetricValue("litigation.direct.total", Decimal(4), "件", "行政诉讼 > 未经复议直接起诉 > 总计", "4"),
            MetricValue("litigation.after_review.total", Decimal(1), "件", "行政诉讼 > 复议后起诉 > 总计", "1"),
        ],
        findings=[Finding("sum_mismatch", "warning", "apps.result.total 9 != 8", "apps.result.total")],
    )
    return validate(page, parsed)


@pytest.fixture
def engine(database_url):
    engine = db.ensure_schema(database_url)
    with Session(engine) as session, session.begin():
        writer = ReportWriter(session)
        writer.write(zhucheng_2017())
        writer.write(synthetic_2019())
    yield engine
    engine.dispose()


def rows(engine, sql: str, **params) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


# report_summary's headline columns: the legacy codes they read (crawler/storage/views.py)
ZHUCHENG_HEADLINE = {
    "proactive_total": "proactive.total",
    "applications": "applications.received",
    "disclosed": "applications.answer.granted",
    "partially_disclosed": "applications.answer.partially_granted",
    "review_total": "review.total",
    "review_corrected": "review.corrected",
    "litigation_total": "litigation.total",
}


def number(value) -> Decimal | None:
    """SQLite returns floats or ints, PostgreSQL Decimals: compare as Decimal."""
    return None if value is None else Decimal(str(value)).normalize()


def test_the_migration_creates_the_views_and_its_downgrade_drops_them(database_url):
    db.ensure_schema(database_url)
    engine = db.make_engine(database_url)
    assert set(VIEWS) <= set(inspect(engine).get_view_names())
    db.downgrade(database_url, "0003")
    assert not set(VIEWS) & set(inspect(db.make_engine(database_url)).get_view_names())
    db.upgrade(database_url)
    assert set(VIEWS) <= set(inspect(db.make_engine(database_url)).get_view_names())


def test_report_summary_reads_the_region_table_of_a_legacy_report(engine):
    (row,) = rows(engine, "SELECT * FROM report_summary WHERE year = 2017")
    assert (row["body"], row["level"], row["region_code"], row["parent_body"]) == (
        "诸城市人民政府",
        "county",
        "370782",
        "潍坊市人民政府",
    )
    assert (row["title"], row["template"], row["url"], row["spider"]) == (
        "诸城市人民政府2017年政府信息公开工作年度报告",
        "legacy",
        ZHUCHENG_URL,
        "zhucheng",
    )
    assert str(row["published_at"]) == "2018-03-29"
    # the 本行政区域 table's numbers (its proactive.total is not the 市本级 one; the others match)
    region = values("002", "region")
    assert {name: number(row[name]) for name in HEADLINE_COLUMNS} == {
        name: region[code] for name, code in ZHUCHENG_HEADLINE.items()
    }


def test_report_summary_combines_the_2019_codes(engine):
    (row,) = rows(engine, "SELECT * FROM report_summary WHERE year = 2019")
    assert number(row["applications"]) == 12  # applicant total, not natural_person
    assert number(row["litigation_total"]) == 5  # direct 4 + after review 1
    assert number(row["review_total"]) == 3
    assert row["proactive_total"] is None and row["disclosed"] is None
    assert (row["metrics"], row["findings"]) == (5, 1)


def test_metric_values_turns_empty_dimensions_into_null_and_joins_the_dictionary(engine):
    scoped = rows(
        engine,
        "SELECT scope, value, label_zh, section, body, year, template FROM metric_values "
        "WHERE code = 'proactive.total' ORDER BY scope",
    )
    assert [(r["scope"], number(r["value"])) for r in scoped] == [
        ("region", value("002", "region", "proactive.total")),
        ("self", value("002", "self", "proactive.total")),
    ]
    assert scoped[0]["label_zh"].startswith("(一)主动公开政府信息数")
    assert (scoped[0]["section"], scoped[0]["body"], scoped[0]["year"], scoped[0]["template"]) == (
        "proactive",
        "诸城市人民政府",
        2017,
        "legacy",
    )
    (review,) = rows(
        engine,
        "SELECT scope, applicant, raw_label, source FROM metric_values WHERE code = 'review.total' AND year = 2019",
    )
    assert review == {"scope": None, "applicant": None, "raw_label": "行政复议 > 总计", "source": "table"}


def test_open_findings_name_the_report(engine):
    found = rows(
        engine, "SELECT body, year, title, rule, severity, code, detail FROM open_findings WHERE rule = 'sum_mismatch'"
    )
    assert found == [
        {
            "body": "诸城市人民政府",
            "year": 2019,
            "title": "诸城市人民政府2019年政府信息公开工作年度报告",
            "rule": "sum_mismatch",
            "severity": "warning",
            "code": "apps.result.total",
            "detail": "apps.result.total 9 != 8",
        }
    ]


def test_a_later_migration_rebuilds_a_table_between_drop_views_and_create_views(database_url):
    """The recipe of crawler/storage/views.py for migrations after 0004: SQLite's batch rebuild of a
    table that a view reads fails while the view exists."""
    import sqlalchemy as sa
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    from crawler.storage.views import create_views, drop_views

    engine = db.ensure_schema(database_url)
    with engine.begin() as conn:
        op = Operations(MigrationContext.configure(conn, opts={"render_as_batch": True}))
        drop_views(op.execute)
        with op.batch_alter_table("reports") as batch:
            batch.alter_column("title", type_=sa.String(400))
        create_views(op.execute)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM report_summary")).scalar() == 0
    assert set(VIEWS) <= set(inspect(engine).get_view_names())
    engine.dispose()
