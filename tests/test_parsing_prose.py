"""Prose headline numbers: which sentences of the seed reports qualify, and which do not.

Expected values of the seeds are typed once in tests/seeds/expected.toml (its `prose` parts, with
the sentence quoted and the line); others come from sentences written here by hand.
"""

from __future__ import annotations

from decimal import Decimal

from crawler.parsing.metrics import load_metrics
from crawler.parsing.prose import headline_metrics
from tests.conftest import seed_text
from tests.seednumbers import numbers


def prose(seed: str, *, but: tuple[str, ...] = ()) -> list[tuple]:
    """The prose numbers of a seed (tests/seeds/expected.toml) as `summary` gives them."""
    return [
        (code, n.scope, n.applicant, n.value, n.printed, f"text line {n.line}")
        for code, n in numbers(seed, "prose").items()
        if code not in but
    ]


def summary(metrics) -> list[tuple]:
    return [(m.code, m.scope, m.applicant, m.value, m.raw_value, m.location) for m in metrics]


def test_seed_001_huaibei_2018_narrative_only():
    found = headline_metrics(seed_text("001"), 2018, set())
    # line 26's "市本级依申请办件28件中…" is a breakdown of its 101 and is not emitted; line 28 names
    # 全市 and 本级 both, so no scope is guessed for its two zeros
    assert summary(found) == prose("001")
    assert all(m.source == "text" for m in found)
    assert [m.unit for m in found] == ["条", "件", "件", "件"]
    # the raw label is quoted as printed, with the seed's no-break space before 条
    assert found[0].raw_label == "今年来全市主动公开政府信息112304\xa0条"
    assert found[1].raw_label == "今年来市本级及市直部门共接收信息公开申请101件"


def test_seed_004_linyi_etdz_2019_narrative_only():
    found = headline_metrics(seed_text("004"), 2019, set())
    assert summary(found) == prose("004")  # a 2019 form: line 89's 申请 is apps.new (总计)
    # not emitted: line 76 "共主动公开发布信息 4895 条;新浪、腾讯微博 2543 条, 微信 6578 条" lists
    # channels side by side (not 主动公开政府信息, and no total); line 31 "共发布解读 127 余条" is
    # approximate; line 23 "发布新闻动态 816条" is not a headline metric
    assert {m.value for m in found}.isdisjoint({Decimal(4895), Decimal(127), Decimal(816)})


def test_seed_000_dongying_2019_prose_beside_its_table():
    art20 = {"art20.regulations.new", "art20.regulations.published", "art20.licensing.decisions"}
    found = headline_metrics(seed_text("000"), 2019, art20)
    # 全市, but scope is a legacy-table dimension: a 2019 report's values carry none
    assert summary(found) == prose("000")
    # line 175's "行政复议申请10件" is not an information request, line 171's 329 is 新增 +
    # 结转, and its "但后续未收到申请3件" is one item of "其他处理情形的30件中": no apps.new at all
    assert "apps.new" not in {m.code for m in found}


def test_seed_003_dongsheng_2017_table_wins_over_prose():
    own_table = {
        "proactive.total",
        "proactive.normative_docs",
        "proactive.channel.documents",
        "proactive.channel.gazette",
        "proactive.channel.website",
        "proactive.channel.weibo",
        "proactive.channel.wechat",
    }
    found = headline_metrics(seed_text("003"), 2017, own_table)
    assert summary(found) == prose("003", but=("proactive.total",))
    # without the table, line 26's total is the headline
    alone = headline_metrics(seed_text("003"), 2017, set())
    assert summary(alone)[0] == prose("003")[0]


def test_seed_002_zhucheng_prose_agrees_with_its_region_table():
    # as if the tables were lost: the prose gives the 本行政区域 values of 附表 2
    found = headline_metrics(seed_text("002"), 2017, set())
    assert summary(found) == prose("002")
    region = numbers("002", "region")
    assert all(n.value == region[code].value for code, n in numbers("002", "prose").items())
    # with its tables read, nothing is left for the prose to add
    legacy_codes = {code for code, d in load_metrics().items() if "legacy" in d.templates}
    assert headline_metrics(seed_text("002"), 2017, legacy_codes) == []


def test_year_decides_the_application_code_and_unknown_year_skips_it():
    sentence = "2020年,全区共收到政府信息公开申请15件。"
    assert summary(headline_metrics(sentence, 2020, set())) == [
        ("apps.new", None, "total", Decimal(15), "15", "text line 1")
    ]
    assert summary(headline_metrics(sentence, 2018, set())) == [
        ("applications.received", "region", None, Decimal(15), "15", "text line 1")
    ]
    assert headline_metrics(sentence, None, set()) == []


def test_a_digit_run_no_count_is_gives_no_headline_number():
    # 15 digits and more (an ID or register number glued to the sentence) is no count: the column
    # holds 14 integer digits (crawler/parsing/values.py MAX_MAGNITUDE)
    assert headline_metrics("2020年,全区共收到政府信息公开申请370502198801011234件。", 2020, set()) == []
    assert summary(headline_metrics("2020年,全区共收到政府信息公开申请99999999999999件。", 2020, set())) == [
        ("apps.new", None, "total", Decimal(99999999999999), "99999999999999", "text line 1")
    ]


def test_department_and_sub_unit_sentences_are_not_emitted():
    text = "\n".join(
        [
            "市国土资源局共收到政府信息公开申请12件。",
            "市政府各部门单位主动公开政府信息2200条。",
            "各镇街主动公开政府信息470条。",
        ]
    )
    assert headline_metrics(text, 2017, set()) == []


def test_breakdowns_are_not_emitted():
    text = "\n".join(
        [
            "全市主动公开政府信息500条,其中市本级主动公开政府信息200条。",
            "全年受理申请20件(其中受理网上申请12件)。",
            # the ;-parts after "6件中" are still items of those 6
            "其他处理情形的6件中,信息不存在2件;收到重复申请3件。",
        ]
    )
    assert summary(headline_metrics(text, 2017, set())) == [
        ("proactive.total", "region", None, Decimal(500), "500", "text line 1"),
        ("applications.received", None, None, Decimal(20), "20", "text line 2"),
    ]


def test_a_request_not_received_is_not_counted():
    # seed 000 line 171 wording: the applicant never answered, 3 cases closed for that reason
    assert headline_metrics("向申请人提出补正要求,但后续未收到申请3件。", 2019, set()) == []


def test_approximate_numbers_are_not_emitted():
    text = "\n".join(
        [
            "全市主动公开政府信息3000余条。",
            "全市主动公开政府信息近5000条。",
            "全市主动公开政府信息1.2万条。",
            "全市共收到政府信息公开申请30件左右。",
            "全市行政复议约3件。",
        ]
    )
    assert headline_metrics(text, 2017, set()) == []


def test_disagreeing_sentences_give_nothing_and_repeats_give_one():
    disagree = "全市主动公开政府信息500条。\n全市主动公开政府信息600条。"
    assert headline_metrics(disagree, 2017, set()) == []
    repeat = "全市主动公开政府信息500条。\n回顾全年,全市主动公开政府信息500条。"
    assert summary(headline_metrics(repeat, 2017, set())) == [
        ("proactive.total", "region", None, Decimal(500), "500", "text line 1")
    ]
    # a scope-less number next to a scoped one of the same code is not emitted on its own
    mixed = "全市主动公开政府信息500条。\n主动公开政府信息480条。"
    assert summary(headline_metrics(mixed, 2017, set())) == [
        ("proactive.total", "region", None, Decimal(500), "500", "text line 1")
    ]


def test_zero_only_where_the_count_is_stated_as_zero():
    text = "行政复议案件为零。\n行政诉讼零星发生。\n被依法纠错数为零。"
    assert summary(headline_metrics(text, 2017, set())) == [
        ("review.total", None, None, Decimal(0), "零", "text line 1")
    ]


def test_full_width_digits_and_spaces_are_read_and_quoted_as_printed():
    found = headline_metrics("全 市 主动公开政府信息 １２３４５ 条。", 2017, set())
    assert summary(found) == [("proactive.total", "region", None, Decimal(12345), "１２３４５", "text line 1")]
    assert found[0].raw_label == "全 市 主动公开政府信息 １２３４５ 条"


def test_scope_only_for_codes_with_a_scope_dimension():
    # apps.new has the applicant dimension only: 全区 gives no scope
    found = headline_metrics("全区共收到政府信息公开申请15件。", 2021, set())
    assert [(m.code, m.scope, m.applicant) for m in found] == [("apps.new", None, "total")]


def test_a_departments_own_report_names_itself_as_subject():
    # synthetic sentences, in the form of a district department's own report
    text = (
        "2015年,东胜区民政局认真贯彻落实《中华人民共和国政府信息公开条例》,主动公开政府信息500条。\n"
        "2015年,共受理依申请公开3件,已全部按时办结。"
    )
    own = headline_metrics(text, 2015, set(), body="东胜区民政局")
    assert summary(own) == [
        ("proactive.total", None, None, Decimal(500), "500", "text line 1"),
        ("applications.received", None, None, Decimal(3), "3", "text line 2"),
    ]
    # the same sentence in the district government's report is one department's number
    district = headline_metrics(text, 2015, set(), body="东胜区人民政府")
    assert [m.code for m in district] == ["applications.received"]
