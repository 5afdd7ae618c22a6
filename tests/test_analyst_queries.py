"""The ten worked queries of docs/analysts.md, read from the markdown (so the docs and the tests
never drift), run against the demo database, with the numbers of the seed reports (typed once in
tests/seeds/expected.toml; here for the reader):

  000 东营市 2019: 政府集中采购 1088 个, 1148226.228万元; 行政复议 10 件, 行政诉讼 10 件 (prose)
  001 淮北市 2018: 接收信息公开申请101件; 行政复议、行政诉讼 均为零
  002 诸城市 2017: 主动公开 22794 (市本级) / 27519 (本行政区域); 收到申请 88 and 申请答复 88 in
      both tables = 18 已主动公开 + 21 同意公开 + 0 部分公开 + 3 不同意 + 19 不属于本机关 + 25 不存在
      + 2 更改补充 + 0 其他途径 (同意公开 占23.9%); 行政复议 2 (纠错 0); 行政诉讼 1
  003 东胜区 2017: 受理2件依申请公开; 行政复议案件为零; 行政诉讼案件为1件
  004 临沂经开区 2019: 申请9件; 行政复议7件; 行政诉讼8起

The same queries also run on PostgreSQL and must give the same rows as on SQLite.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from crawler.analysis.export import FILES
from crawler.storage import db
from crawler.storage.store import ReportWriter
from crawler.storage.views import HEADLINE_COLUMNS
from tests.seednumbers import numbers, value, values
from tests.test_export import dongying_2019
from tests.test_views import synthetic_2019, zhucheng_2017

DOC = Path(__file__).resolve().parent.parent / "docs" / "analysts.md"

DONGYING, HUAIBEI, ZHUCHENG = "东营市人民政府", "淮北市人民政府", "诸城市人民政府"
DONGSHENG, LINYI = "鄂尔多斯市东胜区人民政府", "临沂经济技术开发区管理委员会"


def doc_queries() -> dict[str, str]:
    """{"Q1": sql, …}: each `### Qn. title` section's ```sql block."""
    found = re.findall(r"^### (Q\d+)\. .*?^```sql\n(.*?)^```", DOC.read_text("utf-8"), re.M | re.S)
    return dict(found)


QUERIES = doc_queries()


def run(url: str, name: str) -> list[dict]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return [{k: plain(v) for k, v in row._mapping.items()} for row in conn.execute(text(QUERIES[name]))]
    finally:
        engine.dispose()


def plain(value):
    """SQLite returns ints and floats, PostgreSQL Decimals; dates may be text or date objects."""
    if isinstance(value, float | Decimal):
        value = Decimal(str(value)).normalize()
        return int(value) if value == value.to_integral_value() else value
    return value if value is None or isinstance(value, int | str) else str(value)


def by(rows: list[dict], *keys: str) -> dict:
    return {tuple(r[k] for k in keys): r for r in rows}


def test_the_docs_hold_ten_queries_and_name_every_column():
    assert list(QUERIES) == [f"Q{n}" for n in range(1, 11)]
    doc = DOC.read_text("utf-8")
    for name in HEADLINE_COLUMNS:
        assert f"| `{name}` |" in doc
    for _, columns in FILES.values():
        for column in columns:
            assert column.name in doc


# -- on the demo database ---------------------------------------------------------------------------

demo = pytest.mark.e2e


@demo
def test_q1_review_per_body_and_year(demo_database_url):
    rows = by(run(demo_database_url, "Q1"), "body", "year")
    assert rows[(DONGYING, 2019)]["review_total"] == 10
    assert (rows[(ZHUCHENG, 2017)]["review_total"], rows[(ZHUCHENG, 2017)]["review_corrected"]) == (2, 0)
    assert rows[(LINYI, 2019)]["review_total"] == 7
    assert rows[(HUAIBEI, 2018)]["review_total"] == 0
    assert rows[(DONGSHENG, 2017)]["review_total"] == 0


@demo
def test_q2_applications_by_outcome(demo_database_url):
    rows = by([r for r in run(demo_database_url, "Q2") if r["year"] == 2017], "code")
    answers = {
        code.removeprefix("applications.answer."): (r["applications"], r["reports"]) for (code,), r in rows.items()
    }
    assert {
        k: answers[k]
        for k in (
            "already_public",
            "granted",
            "partially_granted",
            "refused",
            "not_this_agency",
            "not_exist",
            "clarification_requested",
            "other_channel",
        )
    } == {
        "already_public": (18, 1),
        "granted": (21, 1),
        "partially_granted": (0, 1),
        "refused": (3, 1),
        "not_this_agency": (19, 1),
        "not_exist": (25, 1),
        "clarification_requested": (2, 1),
        "other_channel": (0, 1),
    }
    assert rows[("applications.answer.granted",)]["label_zh"] == "2.同意公开答复数"


@demo
def test_q3_share_disclosed(demo_database_url):
    row = by(run(demo_database_url, "Q3"), "body", "year")[(ZHUCHENG, 2017)]
    assert (row["applications"], row["disclosed"], row["disclosed_pct"]) == (88, 21, Decimal("23.9"))


@demo
def test_q4_answers_add_up_in_both_tables(demo_database_url):
    rows = [r for r in run(demo_database_url, "Q4") if r["body"] == ZHUCHENG]
    assert [(r["year"], r["scope"], r["stated"], r["sum_of_parts"]) for r in rows] == [
        (2017, "region", 88, 88),
        (2017, "self", 88, 88),
    ]


@demo
def test_q5_no_seed_report_breaks_a_rule(demo_database_url):
    seeds = {(DONGYING, 2019), (HUAIBEI, 2018), (ZHUCHENG, 2017), (DONGSHENG, 2017), (LINYI, 2019)}
    assert not seeds & set(by(run(demo_database_url, "Q5"), "body", "year"))


@demo
def test_q6_missing_years(demo_database_url):
    missing = {}
    for r in run(demo_database_url, "Q6"):
        missing.setdefault(r["body"], []).append(r["missing_year"])
    # the dongsheng mirror (tests/sites/dongsheng) lists 东胜区 reports for 2017–2019 and 2024 only
    assert missing[DONGSHENG] == [2020, 2021, 2022, 2023]
    assert ZHUCHENG not in missing and LINYI not in missing  # 2016–2018, 2018–2023 without a gap


@demo
def test_q7_before_and_after_2019(demo_database_url):
    rows = by(run(demo_database_url, "Q7"), "body", "year")
    picked = {
        key: (r["regulation"], r["applications"], r["review_total"], r["litigation_total"])
        for key, r in rows.items()
        if key in {(HUAIBEI, 2018), (DONGYING, 2019), (LINYI, 2019), (DONGSHENG, 2017)}
    }
    huaibei, dongsheng, dongying, linyi = (values(seed, "prose") for seed in ("001", "003", "000", "004"))
    headline = ("review.total", "litigation.total")
    assert picked == {
        (HUAIBEI, 2018): ("before 2019", huaibei["applications.received"], *(huaibei[c] for c in headline)),
        (DONGSHENG, 2017): ("before 2019", dongsheng["applications.received"], *(dongsheng[c] for c in headline)),
        (DONGYING, 2019): ("2019 and later", None, *(dongying[c] for c in headline)),
        (LINYI, 2019): ("2019 and later", linyi["apps.new"], *(linyi[c] for c in headline)),
    }
    assert ZHUCHENG not in {body for body, _ in rows}  # 诸城's mirror has no report after 2018


@demo
def test_q8_self_and_region(demo_database_url):
    rows = by([r for r in run(demo_database_url, "Q8") if r["body"] == ZHUCHENG], "year", "code")
    own, region = values("002", "self"), values("002", "region")
    assert {code: (r["self_value"], r["region_value"]) for (_, code), r in rows.items()} == {
        code: (own[code], region[code])
        for code in ("proactive.total", "applications.received", "review.total", "litigation.total")
    }


@demo
def test_q9_procurement_in_wan_yuan(demo_database_url):
    rows = by(run(demo_database_url, "Q9"), "body", "year", "code")
    amount = rows[(DONGYING, 2019, "art20.procurement.amount")]
    expected = numbers("000", "table")["art20.procurement.amount"]
    assert (amount["value"], amount["unit"], amount["raw_value"]) == (
        expected.value,
        expected.unit,
        f"{expected.printed}{expected.unit}",
    )
    assert rows[(DONGYING, 2019, "art20.procurement.projects")]["value"] == value(
        "000", "table", "art20.procurement.projects"
    )


@demo
def test_q10_one_crawl_keeps_no_old_versions(demo_database_url):
    assert run(demo_database_url, "Q10") == []


# -- on a database of seed reports, SQLite and PostgreSQL ----------------------------------------------


def fill(url: str) -> str:
    """Seeds 002 and 000, a synthetic 诸城 2019 report with a finding, then 诸城 2017 edited."""
    engine = db.ensure_schema(url)
    for item in (zhucheng_2017(), dongying_2019(), synthetic_2019(), replace(zhucheng_2017(), content_hash="edited")):
        with Session(engine) as session, session.begin():
            ReportWriter(session).write(item)
    engine.dispose()
    return url


@pytest.fixture
def seeded(database_url) -> str:
    return fill(database_url)


def test_q5_lists_a_broken_rule(seeded):
    (row,) = run(seeded, "Q5")
    assert (row["body"], row["year"], row["rule"], row["findings"], row["example"]) == (
        ZHUCHENG,
        2019,
        "sum_mismatch",
        1,
        "apps.result.total 9 != 8",
    )


def test_q6_lists_the_year_between_two_reports(seeded):
    assert run(seeded, "Q6") == [{"body": ZHUCHENG, "missing_year": 2018}]  # reports for 2017 and 2019


def test_q10_lists_a_report_edited_after_publishing(seeded):
    (row,) = run(seeded, "Q10")
    assert (row["body"], row["year"], row["old_version"], row["current_version"]) == (ZHUCHENG, 2017, 1, 2)
    assert row["seen_from"] <= row["replaced_at"]


def test_every_query_gives_the_same_rows_on_sqlite_and_postgresql(tmp_path, postgres):
    if postgres is None:
        pytest.skip("no PostgreSQL server on this machine")
    sqlite, pg = fill(f"sqlite:///{tmp_path}/seeded.db"), fill(postgres.database())
    timestamps = {"seen_from", "replaced_at"}  # written at different moments in the two databases
    for name in QUERIES:
        on_sqlite = [{k: v for k, v in r.items() if k not in timestamps} for r in run(sqlite, name)]
        on_pg = [{k: v for k, v in r.items() if k not in timestamps} for r in run(pg, name)]
        assert on_sqlite == on_pg, name
        assert on_sqlite, f"{name} returned no row on the seeded database"
