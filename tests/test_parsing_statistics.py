"""read_statistics on the seed reports and the synthetic fixtures.

Every expected number here is typed from the seed text (tests/seeds) or from the hand-written
fixtures (tests/fixtures/statistics), never copied from the code's output.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from crawler.parsing.model import APPLICANTS, MetricValue
from crawler.parsing.statistics import Statistics, read_statistics
from crawler.parsing.tables import table_from_rows, tables_from_html
from tests.conftest import seed_text
from tests.seednumbers import numbers as seed_numbers
from tests.seednumbers import values as seed_values

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "statistics"


def by_key(stats: Statistics) -> dict[tuple, MetricValue]:
    out: dict[tuple, MetricValue] = {}
    for m in stats.metrics:
        assert m.code is not None, m
        assert m.key() not in out, f"duplicate {m.key()}"
        out[m.key()] = m
    return out


def values(stats: Statistics) -> dict[tuple, Decimal | None]:
    return {key: m.value for key, m in by_key(stats).items()}


def fixture(name: str) -> Statistics:
    html = (FIXTURES / name).read_text("utf-8")
    return read_statistics("", tables_from_html(html, document=name))


# ---------------------------------------------------------------------------------------------
# seed 002 (诸城 2017): two legacy 统计表 flattened one cell per line, Shandong variant

# every number of both tables: tests/seeds/expected.toml ["002".self] (市本级), ["002".region] (本行政区域)


@pytest.fixture(scope="module")
def seed_002() -> Statistics:
    return read_statistics(seed_text("002"), [])


def test_seed_002_every_number_of_both_tables(seed_002):
    expected = {(code, "self", None): v for code, v in seed_values("002", "self").items()}
    expected |= {(code, "region", None): v for code, v in seed_values("002", "region").items()}
    assert values(seed_002) == expected
    assert seed_002.template == "legacy"
    assert seed_002.findings == []


def test_seed_002_applications_received_88_in_both_scopes(seed_002):
    got = by_key(seed_002)
    for scope in ("self", "region"):
        m = got[("applications.received", scope, None)]
        assert (m.value, m.unit, m.raw_value) == (Decimal(88), "件", "88")
        assert m.raw_label == "(一)收到申请数" and m.source == "table"
    assert got[("applications.received", "self", None)].location == "text line 332"
    assert got[("applications.received", "region", None)].location == "text line 703"


def test_seed_002_units_come_from_the_dictionary_and_printed_units_are_checked(seed_002):
    got = by_key(seed_002)
    budget = got[("org.budget", "self", None)]
    assert (budget.value, budget.unit, budget.raw_value) == (Decimal(0), "万元", "0")
    # the label wraps mid-word over two lines in Z; the raw label keeps both lines
    assert budget.raw_label == ("(四)政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维\n护等方面的经费)")
    attendees = got[("training.attendees", "region", None)]
    assert (attendees.value, attendees.unit) == (Decimal(860), "人次")
    assert got[("reading_point_visitors.total", "self", None)].unit == "人次"
    assert got[("proactive.total", "self", None)].unit == "条"
    assert got[("gazette.copies", "region", None)].unit == "份"


def test_seed_002_notes_on_their_own_line_belong_to_the_label(seed_002):
    m = by_key(seed_002)[("proactive.total", "self", None)]
    assert m.raw_label.startswith("(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)")
    assert m.raw_label.endswith("(不同渠道和方式公开相同信息计1条)")
    assert m.location == "text line 242"


# ---------------------------------------------------------------------------------------------
# seed 000 (东营 2019): 第二十条 table flattened one cell per line, broken header 本年增/


def test_seed_000_article_20_table():
    stats = read_statistics(seed_text("000"), [])
    got = by_key(stats)
    assert {k[0]: (m.value, m.unit) for k, m in got.items()} == {
        code: (n.value, n.unit) for code, n in seed_numbers("000", "table").items()
    }  # tests/seeds/expected.toml ["000".table]
    assert all(k[1:] == (None, None) for k in got)
    assert stats.template == "gov2019"
    amount = got[("art20.procurement.amount", None, None)]
    procured = seed_numbers("000", "table")["art20.procurement.amount"]
    assert amount.raw_value == f"{procured.printed}{procured.unit}"  # as printed, decimals kept
    change = got[("art20.licensing.items_change", None, None)]
    assert change.raw_label == "行政许可 > 本年增/"  # the header as printed
    assert stats.findings == []


# ---------------------------------------------------------------------------------------------
# seed 003 (东胜 2017): own 公开类别 | 单位 | 数量 table, every cell ending with " |"


def test_seed_003_own_table():
    stats = read_statistics(seed_text("003"), [])
    assert stats.template == "other"
    got = {k[0]: (m.value, m.unit, m.raw_label) for k, m in by_key(stats).items()}
    assert got == {code: (n.value, n.unit, n.label) for code, n in seed_numbers("003", "table").items()}
    assert stats.findings == []


@pytest.mark.parametrize("seed", ["001", "004"])
def test_narrative_seeds_have_no_statistics_table(seed):
    stats = read_statistics(seed_text(seed), [])
    assert stats.template is None
    assert stats.metrics == []


# ---------------------------------------------------------------------------------------------
# fixtures: full gov2019 / gov2021 HTML (every cell)

# 表三 rows as typed into the fixtures: 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计
APPS_2019 = {
    "apps.new": (20, 5, 1, 1, 2, 1, 30),
    "apps.carried_in": (2, 1, 0, 0, 0, 0, 3),
    "apps.result.disclosed": (8, 2, 1, 0, 1, 0, 12),
    "apps.result.partial": (2, 1, 0, 0, 0, 0, 3),
    "apps.result.withheld.state_secret": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.withheld.prohibited_by_law": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.withheld.three_security_one_stability": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.withheld.third_party_rights": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.withheld.internal_affairs": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.withheld.process_info": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.withheld.enforcement_file": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.withheld.administrative_query": (0, 1, 0, 0, 0, 0, 1),
    "apps.result.unavailable.not_held": (3, 1, 0, 1, 0, 0, 5),
    "apps.result.unavailable.needs_creation": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.unavailable.unclear_after_correction": (0, 0, 0, 0, 1, 0, 1),
    "apps.result.not_processed.petition": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.not_processed.duplicate": (1, 0, 0, 0, 0, 1, 2),
    "apps.result.not_processed.publications": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.not_processed.excessive": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.not_processed.confirm_or_reissue": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.other": (2, 0, 0, 0, 0, 0, 2),
    "apps.result.total": (21, 5, 1, 1, 2, 1, 31),
    "apps.carried_out": (1, 1, 0, 0, 0, 0, 2),
}
APPS_2021 = {
    "apps.new": (40, 8, 2, 1, 3, 2, 56),
    "apps.carried_in": (3, 1, 0, 0, 1, 0, 5),
    "apps.result.disclosed": (15, 3, 1, 0, 2, 0, 21),
    "apps.result.partial": (4, 1, 0, 0, 0, 0, 5),
    "apps.result.withheld.state_secret": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.withheld.prohibited_by_law": (0, 1, 0, 0, 0, 0, 1),
    "apps.result.withheld.three_security_one_stability": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.withheld.third_party_rights": (2, 0, 0, 0, 0, 0, 2),
    "apps.result.withheld.internal_affairs": (0, 0, 0, 0, 1, 0, 1),
    "apps.result.withheld.process_info": (1, 1, 0, 0, 0, 0, 2),
    "apps.result.withheld.enforcement_file": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.withheld.administrative_query": (0, 0, 1, 0, 0, 0, 1),
    "apps.result.unavailable.not_held": (5, 1, 0, 1, 0, 0, 7),
    "apps.result.unavailable.needs_creation": (2, 0, 0, 0, 0, 0, 2),
    "apps.result.unavailable.unclear_after_correction": (1, 0, 0, 0, 1, 0, 2),
    "apps.result.not_processed.petition": (2, 0, 0, 0, 0, 0, 2),
    "apps.result.not_processed.duplicate": (1, 0, 0, 0, 0, 1, 2),
    "apps.result.not_processed.publications": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.not_processed.excessive": (0, 0, 0, 0, 0, 0, 0),
    "apps.result.not_processed.confirm_or_reissue": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.other.no_correction": (1, 1, 0, 0, 0, 0, 2),
    "apps.result.other.unpaid_fee": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.other.other": (1, 0, 0, 0, 0, 0, 1),
    "apps.result.total": (41, 8, 2, 1, 4, 1, 57),
    "apps.carried_out": (2, 1, 0, 0, 0, 1, 4),
}
REVIEW_2019 = {
    "review": (3, 1, 1, 1, 6),
    "litigation.direct": (2, 1, 0, 1, 4),
    "litigation.after_review": (1, 0, 1, 0, 2),
}
REVIEW_2021 = {
    "review": (4, 2, 1, 0, 7),
    "litigation.direct": (3, 1, 1, 2, 7),
    "litigation.after_review": (2, 0, 1, 1, 4),
}
ART20_2019 = {
    "art20.regulations.new": "2",
    "art20.regulations.published": "2",
    "art20.regulations.in_force_total": "15",
    "art20.normative_docs.new": "12",
    "art20.normative_docs.published": "11",
    "art20.normative_docs.in_force_total": "140",
    "art20.licensing.items_prev_year": "120",
    "art20.licensing.items_change": "3",
    "art20.licensing.decisions": "4567",
    "art20.other_services.items_prev_year": "80",
    "art20.other_services.items_change": "-2",
    "art20.other_services.decisions": "2345",
    "art20.penalties.items_prev_year": "300",
    "art20.penalties.items_change": "5",
    "art20.penalties.decisions": "678",
    "art20.enforcement.items_prev_year": "40",
    "art20.enforcement.items_change": "0",
    "art20.enforcement.decisions": "56",
    "art20.fees.items_prev_year": "25",
    "art20.fees.items_change": "-1",
    "art20.procurement.projects": "33",
    "art20.procurement.amount": "1234.56",
}
ART20_2021 = {
    "art20.regulations.issued": "1",
    "art20.regulations.repealed": "0",
    "art20.regulations.in_force": "9",
    "art20.normative_docs.issued": "6",
    "art20.normative_docs.repealed": "2",
    "art20.normative_docs.in_force": "48",
    "art20.licensing.decisions": "3456",
    "art20.penalties.decisions": "789",
    "art20.enforcement.decisions": "12",
    "art20.fees.amount": "56.78",
}


def expected_full(apps: dict, review: dict, art20: dict) -> dict[tuple, Decimal]:
    out: dict[tuple, Decimal] = {}
    for code, row in apps.items():
        for applicant, number in zip(APPLICANTS, row, strict=True):
            out[(code, None, applicant)] = Decimal(number)
    for block, row in review.items():
        for result, number in zip(("upheld", "corrected", "other", "pending", "total"), row, strict=True):
            out[(f"{block}.{result}", None, None)] = Decimal(number)
    for code, number in art20.items():
        out[(code, None, None)] = Decimal(number)
    return out


def check_rules_on_typed_numbers(apps: dict, review: dict, art20: dict, gen: int) -> None:
    """The fixtures are meant to satisfy every rule of docs/templates.md §5: check the typed numbers."""
    items = [c for c in apps if c.count(".") == 3 or c == "apps.result.other" and gen == 2019]
    for i in range(7):
        col = {code: row[i] for code, row in apps.items()}
        assert col["apps.new"] + col["apps.carried_in"] == col["apps.result.total"] + col["apps.carried_out"]  # rule 1
        parts = col["apps.result.disclosed"] + col["apps.result.partial"]
        parts += sum(col[c] for c in items)
        assert col["apps.result.total"] == parts  # rule 2
    for row in apps.values():
        assert row[6] == sum(row[:6])  # rule 4
    for row in review.values():
        assert row[4] == sum(row[:4])  # rule 5
    if gen == 2019:  # rule 6 (soft)
        for stem in ("regulations", "normative_docs"):
            assert int(art20[f"art20.{stem}.published"]) <= int(art20[f"art20.{stem}.in_force_total"])


def test_fixture_numbers_satisfy_every_rule():
    check_rules_on_typed_numbers(APPS_2019, REVIEW_2019, ART20_2019, 2019)
    check_rules_on_typed_numbers(APPS_2021, REVIEW_2021, ART20_2021, 2021)


def test_gov2019_full_every_cell():
    stats = fixture("gov2019_full.html")
    assert stats.template == "gov2019"
    assert values(stats) == expected_full(APPS_2019, REVIEW_2019, ART20_2019)
    assert stats.findings == []
    got = by_key(stats)
    amount = got[("art20.procurement.amount", None, None)]
    assert (amount.unit, amount.raw_value) == ("万元", "1234.56万元")
    change = got[("art20.licensing.items_change", None, None)]
    assert (change.raw_value, change.unit) == ("+3", "个")
    cell = got[("apps.result.withheld.state_secret", None, "commercial")]
    assert cell.location == "table 2 row 8 col 5"
    assert cell.raw_label == "1.属于国家秘密 > 商业企业"
    assert got[("review.pending", None, None)].location == "table 3 row 4 col 4"


def test_gov2021_full_every_cell():
    stats = fixture("gov2021_full.html")
    assert stats.template == "gov2021"
    assert values(stats) == expected_full(APPS_2021, REVIEW_2021, ART20_2021)
    assert stats.findings == []
    fees = by_key(stats)[("art20.fees.amount", None, None)]
    assert (fees.value, fees.unit) == (Decimal("56.78"), "万元")


def test_broken_sum_fixture_is_read_as_printed():
    stats = fixture("gov2019_broken_sum.html")
    expected = expected_full(APPS_2019, REVIEW_2019, ART20_2019)
    expected[("review.total", None, None)] = Decimal(7)  # printed 7; 3 + 1 + 1 + 1 = 6
    assert values(stats) == expected
    assert stats.findings == []  # rules are rules.py's job: no fixing here


def test_blank_and_slash_cells_are_none_with_findings_never_zero():
    stats = fixture("gov2019_blank_cells.html")
    got = by_key(stats)
    blanks = {
        ("art20.regulations.new", None, None): "/",
        ("art20.regulations.published", None, None): "／",
        ("art20.regulations.in_force_total", None, None): "/",
        ("art20.enforcement.items_change", None, None): "—",
        ("art20.enforcement.decisions", None, None): "",
        ("apps.result.partial", None, "research"): "",
        ("apps.result.partial", None, "public_interest"): "",
        ("apps.result.partial", None, "legal_services"): "/",
        ("apps.result.partial", None, "other_org"): "",
        ("litigation.after_review.upheld", None, None): "",
        ("litigation.after_review.corrected", None, None): "无",
    }
    for key, raw in blanks.items():
        assert got[key].value is None, key
        assert got[key].raw_value.strip() == raw, key
    # every other cell keeps its number
    expected = expected_full(APPS_2019, REVIEW_2019, ART20_2019)
    for key, number in expected.items():
        if key not in blanks:
            assert got[key].value == number, key
    assert len(got) == len(expected)
    rules = sorted(f.rule for f in stats.findings)
    assert rules == sorted(["not_applicable"] * 6 + ["blank_value"] * 5)
    # each finding names the cell and its label
    details = sorted(f.detail for f in stats.findings)
    for key in blanks:
        m = got[key]
        assert sum(d.startswith(f"{m.location} {m.raw_label!r}") for d in details) == 1, key


def test_unknown_row_is_kept_raw_with_a_finding():
    stats = read_statistics("", tables_from_html((FIXTURES / "gov2019_unknown_row.html").read_text("utf-8")))
    unknown = [m for m in stats.metrics if m.code is None]
    assert [(m.raw_label, m.raw_value, m.value) for m in unknown] == [
        ("行政确认 > 上一年项目数量", "17", Decimal(17)),
        ("行政确认 > 本年增/减", "1", Decimal(1)),
        ("行政确认 > 处理决定数量", "230", Decimal(230)),
    ]
    assert [f.rule for f in stats.findings] == ["unmapped_label"] * 3
    known = {m.key(): m.value for m in stats.metrics if m.code is not None}
    assert known == expected_full(APPS_2019, REVIEW_2019, ART20_2019)


# ---------------------------------------------------------------------------------------------
# flattened variants and edge cases (hand-written)

PIPE_LEGACY = """\
附表
2016年度政府信息公开情况统计表
本行政区域
统计指标 | 单位 | 统计数 |
一、主动公开情况 | | |
（一）主动公开政府信息数 | 条 | 1,234 |
制发规范性文件总数 | 件 | 5 |
    其中：公开本地区政策文件数 | 条 | 7 |
三、依申请公开情况 | | |
（一）收到申请数 | 件 | 12 |
四、行政复议数量 | 件 | 3 |
（三）其他情形数 | 件 | 1 |
五、行政诉讼数量 | 件 | / |
（三）其他情形数 | 件 | 2 |
（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费） | 元 | 251000 |
备注：本表数据截至2016年12月31日。
"""


def test_pipe_rows_legacy_table_with_unknown_row_blank_and_unit_column():
    stats = read_statistics(PIPE_LEGACY, [])
    assert stats.template == "legacy"
    got = {(m.code, m.scope): (m.value, m.raw_value, m.unit) for m in stats.metrics}
    assert got == {
        ("proactive.total", "region"): (Decimal(1234), "1,234", "条"),
        ("proactive.normative_docs_issued", "region"): (Decimal(5), "5", "件"),
        (None, "region"): (Decimal(7), "7", "条"),
        ("applications.received", "region"): (Decimal(12), "12", "件"),
        ("review.total", "region"): (Decimal(3), "3", "件"),
        ("review.other", "region"): (Decimal(1), "1", "件"),
        ("litigation.total", "region"): (None, "/", "件"),
        ("litigation.other", "region"): (Decimal(2), "2", "件"),
        # 元 in the unit column is converted to the metric's 万元
        ("org.budget", "region"): (Decimal("25.1"), "251000", "万元"),
    }
    unmapped = [m for m in stats.metrics if m.code is None][0]
    assert unmapped.raw_label == "其中：公开本地区政策文件数"
    assert sorted(f.rule for f in stats.findings) == ["not_applicable", "unmapped_label"]


def test_duplicate_metric_is_dropped_with_a_finding():
    text = "统计指标\n单位\n统计数\n（一）收到申请数\n\n88\n（一）收到申请数\n\n90\n"
    stats = read_statistics(text, [])
    assert [(m.code, m.value) for m in stats.metrics] == [("applications.received", Decimal(88))]
    assert [f.rule for f in stats.findings] == ["duplicate_metric"]
    assert "90" in stats.findings[0].detail


def test_legacy_grid_tables_distinguished_by_scope_caption():
    rows = [
        ["统计指标", "单位", "统计数"],
        ["（一）收到申请数", "件", "88"],
        ["五、行政诉讼数量", "", "1"],
    ]
    self_table = table_from_rows(rows, origin="pdf", caption="2017年度统计表\n市本级")
    region_rows = [r[:] for r in rows]
    region_rows[1][2] = "90"
    region_table = table_from_rows(region_rows, origin="pdf", caption="本行政区域")
    stats = read_statistics("", [self_table, region_table])
    assert values(stats) == {
        ("applications.received", "self", None): Decimal(88),
        ("litigation.total", "self", None): Decimal(1),
        ("applications.received", "region", None): Decimal(90),
        ("litigation.total", "region", None): Decimal(1),
    }
    assert by_key(stats)[("applications.received", "region", None)].location == "table 2 row 2 col 3"


def test_legacy_grid_title_rows_inside_the_table_name_the_scope():
    html = """<table>
    <tr><td colspan="3">2017年度政府信息公开工作情况统计表</td></tr>
    <tr><td colspan="3">市本级</td></tr>
    <tr><td>统 计 指 标</td><td>单位</td><td>统计数</td></tr>
    <tr><td>四、行政复议数量</td><td></td><td>2</td></tr>
    <tr><td>（三）其他情形数</td><td></td><td>0</td></tr>
    <tr><td>六、被举报投诉数量</td><td></td><td>0</td></tr>
    <tr><td>（三）其他情形数</td><td></td><td>\u00a0</td></tr>
    <tr><td colspan="3">（注：各子栏目数总数要等于总栏目数量）</td></tr>
    </table>"""
    stats = read_statistics("", tables_from_html(html))
    assert values(stats) == {
        ("review.total", "self", None): Decimal(2),
        ("review.other", "self", None): Decimal(0),
        ("complaints.total", "self", None): Decimal(0),
        ("complaints.other", "self", None): None,
    }
    assert [f.rule for f in stats.findings] == ["blank_value"]


FLAT_2019_APPS = """\
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
申请人情况
自然人
法人或其他组织
总计
商业企业
科研机构
社会公益组织
法律服务机构
其他
一、本年新收政府信息公开申请数量 | 3 | 1 | 0 | 0 | 0 | 0 | 4 |
二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
三、本年度办理结果 | （一）予以公开 | 2 | 1 | 0 | 0 | 0 | 0 | 3 |
（二）部分公开 | 3 | 3
（三）不予公开 | 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
（七）合计 | 3 | 1 | 0 | 0 | 0 | 0 | 4 |
四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
五、存在的主要问题及改进情况
"""


def test_flattened_application_table_pipes_and_collapsed_row():
    stats = read_statistics(FLAT_2019_APPS, [])
    assert stats.template == "gov2019"
    got = values(stats)

    def row(code):
        return tuple(got[(code, None, a)] for a in APPLICANTS)

    assert row("apps.new") == tuple(Decimal(x) for x in (3, 1, 0, 0, 0, 0, 4))
    assert row("apps.result.disclosed") == tuple(Decimal(x) for x in (2, 1, 0, 0, 0, 0, 3))
    assert row("apps.result.withheld.state_secret") == (Decimal(0),) * 7
    assert row("apps.result.total") == tuple(Decimal(x) for x in (3, 1, 0, 0, 0, 0, 4))
    # U5 collapses empty columns (`3 | 3`): positions unproven, so nothing is guessed
    assert row("apps.result.partial") == (None,) * 7
    assert [f.rule for f in stats.findings] == ["value_count"]
    assert "['3', '3']" in stats.findings[0].detail
    assert len(got) == 7 * 7


FLAT_REVIEW = """\
四、政府信息公开行政复议、行政诉讼情况
行政复议
行政诉讼
结果维持
结果纠正
其他结果
尚未审结
总计
未经复议直接起诉
复议后起诉
结果维持
结果纠正
其他结果
尚未
审结
总计
结果维持
结果纠正
其他结果
尚未审结
总计
1
0
0
0
1
2
0
1
0
3
0
0
0
1
1
五、存在的主要问题及改进情况
"""


def test_flattened_review_table_one_cell_per_line():
    stats = read_statistics(FLAT_REVIEW, [])
    got = {k[0]: v for k, v in values(stats).items()}
    assert got == {
        "review.upheld": 1, "review.corrected": 0, "review.other": 0, "review.pending": 0,
        "review.total": 1,
        "litigation.direct.upheld": 2, "litigation.direct.corrected": 0,
        "litigation.direct.other": 1, "litigation.direct.pending": 0, "litigation.direct.total": 3,
        "litigation.after_review.upheld": 0, "litigation.after_review.corrected": 0,
        "litigation.after_review.other": 0, "litigation.after_review.pending": 1,
        "litigation.after_review.total": 1,
    }  # fmt: skip
    assert stats.template == "gov2019"


def test_art20_2021_text_with_2019_row_label_and_yuan_amount():
    text = (
        "第二十条第（一）项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n"
        "规章\n0\n0\n3\n规范性文件\n5\n1\n25\n"
        "第二十条第（八）项\n信息内容\n本年收费金额（单位：万元）\n行政事业性收费\n251000元\n"
    )
    stats = read_statistics(text, [])
    assert stats.template == "gov2021"
    assert {k[0]: v for k, v in values(stats).items()} == {
        "art20.regulations.issued": 0,
        "art20.regulations.repealed": 0,
        "art20.regulations.in_force": 3,
        "art20.normative_docs.issued": 5,  # U17: 规范性文件 under 2021 columns
        "art20.normative_docs.repealed": 1,
        "art20.normative_docs.in_force": 25,
        "art20.fees.amount": Decimal("25.1"),
    }


def test_bare_procurement_amount_is_kept_with_an_info_finding():
    text = "第二十条第（九）项\n信息内容\n采购项目数量\n采购总金额\n政府集中采购\n12\n160.5964\n"
    stats = read_statistics(text, [])
    assert values(stats)[("art20.procurement.amount", None, None)] == Decimal("160.5964")
    assert [(f.rule, f.severity) for f in stats.findings] == [("ambiguous_unit", "info")]


def test_incompatible_unit_in_a_cell_is_none_with_a_finding():
    text = "统计指标\n单位\n统计数\n（一）收到申请数\n\n88条\n"
    stats = read_statistics(text, [])
    assert [(m.code, m.value, m.raw_value) for m in stats.metrics] == [("applications.received", None, "88条")]
    assert [f.rule for f in stats.findings] == ["unit_mismatch"]


def test_prose_is_not_a_table():
    text = (
        "三、依申请公开情况\n2017年,全市共收到申请88件。\n"
        "四、行政复议数量\n全年行政复议2件。\n（一）收到申请数为88件,均按时办结。\n"
    )
    stats = read_statistics(text, [])
    assert stats.metrics == [] and stats.template is None


def test_legacy_table_with_split_value_columns_keeps_parts_raw():
    # a local form splits 统计数 into 合计 / 区政府 / 乡镇街道 (qianlima notice in docs/templates.md §2.1)
    html = """<p>本行政区域</p><table>
    <tr><td rowspan="2">统计指标</td><td rowspan="2">单位</td><td colspan="3">统计数</td></tr>
    <tr><td>合计</td><td>区政府</td><td>乡镇街道</td></tr>
    <tr><td>四、行政复议数量</td><td>件</td><td>5</td><td>2</td><td>3</td></tr>
    <tr><td>（三）其他情形数</td><td>件</td><td>1</td><td>1</td><td>0</td></tr>
    </table>"""
    stats = read_statistics("", tables_from_html(html))
    rows = [(m.code, m.scope, m.raw_label, m.value) for m in stats.metrics]
    assert rows == [
        ("review.total", "region", "四、行政复议数量", Decimal(5)),
        (None, "region", "四、行政复议数量 > 区政府", Decimal(2)),
        (None, "region", "四、行政复议数量 > 乡镇街道", Decimal(3)),
        ("review.other", "region", "（三）其他情形数", Decimal(1)),
        (None, "region", "（三）其他情形数 > 区政府", Decimal(1)),
        (None, "region", "（三）其他情形数 > 乡镇街道", Decimal(0)),
    ]
    assert [f.rule for f in stats.findings] == ["unmapped_label"] * 4


def test_art20_grid_whose_header_cell_is_not_xinxi_neirong():
    rows = [
        ["项目", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        ["规章", "1", "1", "7"],
        ["行政许可", "10", "+2", "300"],  # a block without a header: 3 values decide the columns
    ]
    stats = read_statistics("", [table_from_rows(rows[:2], "docx"), table_from_rows(rows[2:], "docx")])
    assert {k[0]: v for k, v in values(stats).items()} == {
        "art20.regulations.new": 1,
        "art20.regulations.published": 1,
        "art20.regulations.in_force_total": 7,
    }
    # the header-less single row is not a statistics table on its own: nothing guessed
    assert stats.findings == []


def test_art20_block_without_header_takes_columns_from_the_value_count_only_when_unique():
    rows: list[list[str | None]] = [
        ["第二十条第(五)项", None, None, None],
        ["行政许可", "10", "+2", "300"],  # 3 values: only the 2019 columns have three
        ["第二十条第(一)项", None, None, None],
        ["规章", "1", "0", "7"],  # 3 values: 2019 or 2021 columns? not guessed
    ]
    stats = read_statistics("", [table_from_rows(rows, "pdf")])
    assert [(m.code, m.value) for m in stats.metrics] == [
        ("art20.licensing.items_prev_year", Decimal(10)),
        ("art20.licensing.items_change", Decimal(2)),
        ("art20.licensing.decisions", Decimal(300)),
        (None, Decimal(1)),
        (None, Decimal(0)),
        (None, Decimal(7)),
    ]
    assert [f.rule for f in stats.findings] == ["unmapped_label"] * 4


def test_blank_review_skeleton_gives_fifteen_nones():
    # U3 prints the 表四 skeleton with empty cells
    words = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows: list[list[str | None]] = [
        ["行政复议", None, None, None, None, "行政诉讼"] + [None] * 9,
        words + ["未经复议直接起诉", None, None, None, None, "复议后起诉", None, None, None, None],
        [None] * 5 + words * 2,
        [""] * 15,
    ]
    stats = read_statistics("", [table_from_rows(rows, "pdf")])
    assert len(stats.metrics) == 15
    assert all(m.value is None and m.code for m in stats.metrics)
    assert [f.rule for f in stats.findings] == ["blank_value"] * 15
    assert stats.template == "gov2019"


def test_unknown_label_wrapped_over_two_lines_is_one_unmapped_row():
    text = (
        "统计指标\n单位\n统计数\n（一）收到申请数\n\n88\n"
        "（二）本级政府信息公开专项检查次数（含\n随机抽查）\n\n4\n（二）申请办结数\n\n88\n"
    )
    stats = read_statistics(text, [])
    assert [(m.code, m.raw_label, m.value) for m in stats.metrics] == [
        ("applications.received", "（一）收到申请数", Decimal(88)),
        (None, "（二）本级政府信息公开专项检查次数（含\n随机抽查）", Decimal(4)),
        ("applications.closed", "（二）申请办结数", Decimal(88)),
    ]
    assert [f.rule for f in stats.findings] == ["unmapped_label"]


def test_partial_application_table_keeps_a_subtotal_column_raw():
    # a DOCX/PDF 表三 cut down to 自然人 / 法人或其他组织 (subtotal, not in the official form) / 总计
    rows: list[list[str | None]] = [
        [
            "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
            None,
            "申请人情况",
            None,
            None,
        ],
        [None, None, "自然人", "法人或其他组织", "总计"],
        ["一、本年新收政府信息公开申请数量", None, "11", "2", "13"],
        ["三、本年度办理结果", "(一)予以公开", "5", "", "5"],
    ]
    stats = read_statistics("", [table_from_rows(rows, "pdf")])
    got = [(m.code, m.applicant, m.value, m.raw_label) for m in stats.metrics]
    assert got == [
        ("apps.new", "natural_person", Decimal(11), "一、本年新收政府信息公开申请数量 > 自然人"),
        ("apps.new", "total", Decimal(13), "一、本年新收政府信息公开申请数量 > 总计"),
        (None, None, Decimal(2), "一、本年新收政府信息公开申请数量 > 法人或其他组织"),
        ("apps.result.disclosed", "natural_person", Decimal(5), "(一)予以公开 > 自然人"),
        ("apps.result.disclosed", "total", Decimal(5), "(一)予以公开 > 总计"),
    ]
    assert [f.rule for f in stats.findings] == ["unmapped_label"]


def test_application_header_garbled_takes_the_official_order_when_seven_columns_fit():
    # U16/G2: PDF text interleaves 总计 and 商业企业 (`总商业 / 计企业`)
    header = ["", "自然人", "总商业", "科研机构", "社会公益组织", "法律服务机构", "其他", "计企业"]
    rows = [header, ["一、本年新收政府信息公开申请数量", "1", "2", "3", "4", "5", "6", "21"]]
    stats = read_statistics("", [table_from_rows(rows, "pdf")])
    got = {m.applicant: m.value for m in stats.metrics}
    assert got == dict(zip(APPLICANTS, (Decimal(x) for x in (1, 2, 3, 4, 5, 6, 21)), strict=True))
    assert [(f.rule, f.severity) for f in stats.findings] == [("header_fallback", "info")]


def test_partial_review_table_is_read_by_its_header():
    rows: list[list[str | None]] = [
        ["行政复议", None, "行政诉讼", None, None],
        ["结果维持", "总计", "未经复议直接起诉", None, None],
        [None, None, "结果维持", "结果纠正", "总计"],
        ["1", "2", "3", "", "4"],
    ]
    stats = read_statistics("", [table_from_rows(rows, "docx")])
    assert values(stats) == {
        ("review.upheld", None, None): Decimal(1),
        ("review.total", None, None): Decimal(2),
        ("litigation.direct.upheld", None, None): Decimal(3),
        ("litigation.direct.corrected", None, None): None,
        ("litigation.direct.total", None, None): Decimal(4),
    }
    assert [f.rule for f in stats.findings] == ["blank_value"]
