"""Label keys, label → code matching, column headers and generation detection (docs/templates.md)."""

from __future__ import annotations

import pytest

from crawler.parsing import templates as tpl
from crawler.parsing.templates import (
    applicant_of,
    art20_code,
    art20_column,
    art20_columns_in,
    art20_row_key,
    bare_key,
    complete_art20_columns,
    detect_template,
    match_key,
    review_code,
    scope_of,
    strip_notes,
)


def legacy(label: str, group: str | None = None) -> str | None:
    index = tpl.legacy_index()
    return index.resolve(index.lookup(label), group)


def apps(label: str, group: str | None = None) -> str | None:
    index = tpl.apps_index()
    return index.resolve(index.lookup(label), group)


def test_match_key_normalises_forms_not_words():
    assert match_key("（一） 收到申请数") == "(一)收到申请数"
    assert match_key("统 计 指 标") == "统计指标"
    assert match_key("1、当面申请数") == "1.当面申请数"
    assert match_key("四.行政复议数量") == "四、行政复议数量"
    assert match_key("（三）、申请答复数") == "(三)申请答复数"
    assert match_key("3.危及“三安全一稳定”") == match_key('3.危及"三安全一稳定"')
    assert match_key("（七）合计") == "(七)总计"
    assert match_key("不补正，行政机关") == match_key("不补正、行政机关")


def test_strip_notes_and_bare_key():
    key = match_key("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）")
    assert strip_notes(key) == "(一)主动公开政府信息数"
    # Z repeats the note on the next line: both notes go
    assert strip_notes(key + "(不同渠道和方式公开相同信息计1条)") == "(一)主动公开政府信息数"
    assert strip_notes("(一)") == "(一)"  # an ordinal alone is not a note
    assert bare_key("其中:主动公开规范性文件数") == "主动公开规范性文件数"
    assert bare_key("(三)其他情形数") == "其他情形数"


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("（一）收到申请数", "applications.received"),
        ("  (一)主动公开政府信息数(不同渠道和方式公开相同信息计1条)", "proactive.total"),
        ("(一)回应公众关注热点或重大舆情数\n(不同方式回应同一热点或舆情计1次)", "response.hotspots"),
        ("(一)回应公众关注热点或重大舆情数", "response.hotspots"),
        ("二、回应解读情况(不同方式回应同一热点或舆情计1次)", "response.heading"),
        ("其中:涉及国家秘密", "applications.answer.refused.state_secret"),
        ("涉及商业秘密", "applications.answer.refused.commercial_secret"),
        ("          5.其他形式", "applications.received.other"),
        ("县市区政府(市属开发区管委会)部门门户网站", "portals.departments"),
        ("(四)政府信息公开专项经费(不包括用于政府公报编辑管理及政府网站建设维\n护等方面的经费)",
         "org.budget"),
        ("(三)接受培训人员数", "training.attendees"),
        ("八、机构建设和保障经费情况", "org.heading"),  # national numbering
        ("主动公开政府信息总数", "proactive.total"),  # DS own table
        ("政府公文公开政府信息数", "proactive.channel.documents"),
        ("三、行政复议数量", "review.total"),  # renumbered edition: matched without the numeral
    ],
)  # fmt: skip
def test_legacy_labels(label, code):
    assert legacy(label) == code


@pytest.mark.parametrize(
    ("label", "group", "code"),
    [
        ("(三)其他情形数", "review", "review.other"),
        ("(三)其他情形数", "litigation", "litigation.other"),
        ("(三)其他情形数", "complaints", "complaints.other"),
        ("(一)维持具体行政行为数", "complaints", "complaints.upheld"),
        ("(二)被依法纠错数", "litigation", "litigation.corrected"),
        ("(一)县市区政府(市属开发区管委会)", "reading_points", "reading_points.government"),
        ("(一)县市区政府(市属开发区管委会)", "reading_point_visitors",
         "reading_point_visitors.government"),
        ("镇政府(街道办事处)", "reading_point_visitors", "reading_point_visitors.towns"),
    ],
)  # fmt: skip
def test_same_label_under_different_parents(label, group, code):
    assert legacy(label, group) == code


def test_recurring_label_without_parent_is_not_forced():
    assert legacy("(三)其他情形数") is None
    assert legacy("(三)其他情形数", "portals") is None
    assert tpl.legacy_index().lookup("(三)其他情形数").codes == (
        "review.other",
        "litigation.other",
        "complaints.other",
    )


@pytest.mark.parametrize(
    "label",
    [
        "主动公开政府信息数量统计",
        "其他",
        "合计",
        "规章",
        "行政确认",
        "(五)政务公开专栏建设",
        "数量",
    ],
)
def test_unknown_labels_are_not_matched(label):
    assert legacy(label) is None
    assert apps(label) is None


@pytest.mark.parametrize(
    ("label", "group", "code"),
    [
        ("一、本年新收政府信息公开申请数量", None, "apps.new"),
        ("（二）部分公开", None, "apps.result.partial"),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "apps.result.partial"),
        ("3.危及\u201c三安全一稳定\u201d", None, "apps.result.withheld.three_security_one_stability"),
        ('3.危及"三安全一稳定"', None, "apps.result.withheld.three_security_one_stability"),
        ("1.申请人无正当理由逾期不补正，行政机关不再处理其政府信息公开申请", None,
         "apps.result.other.no_correction"),
        ("3.其他", "apps.result.other", "apps.result.other.other"),
        ("（七）合计", None, "apps.result.total"),
        ("（七）总计", None, "apps.result.total"),
        ("(六)其他处理", None, "apps.result.other"),
        ("2.重复申请", "apps.result.not_processed", "apps.result.not_processed.duplicate"),
        ("四、结转下年度继续办理", None, "apps.carried_out"),
    ],
)  # fmt: skip
def test_application_table_labels(label, group, code):
    assert apps(label, group) == code


def test_applicant_columns():
    assert applicant_of("自 然 人") == "natural_person"
    assert applicant_of("商业\n企业") == "commercial"
    assert applicant_of("事业企业") == "commercial"  # U15 variant
    assert applicant_of("科研机构") == "research"
    assert applicant_of("社会公益组织") == "public_interest"
    assert applicant_of("法律服务机构") == "legal_services"
    assert applicant_of("其他") == "other_org"
    assert applicant_of("总计") == "total" and applicant_of("合计") == "total"
    assert applicant_of("法人或其他组织") is None
    assert applicant_of("申请人情况") is None


def test_art20_columns_and_codes():
    assert art20_column("本年新 制作数量") == "本年新制作数量"
    assert art20_column("本年增/") == "本年增/减"  # DY's broken header
    assert art20_column("本年收费金额（单位：万元）") == "本年收费金额"
    assert art20_column("信息内容") is None
    assert art20_columns_in("本年新\n制作数量本年新\n公开数量对外公开\n总数量") == [
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
    ]
    assert art20_columns_in("上一年项目数量本年增/处理决定数量") == [
        "上一年项目数量",
        "本年增/减",
        "处理决定数量",
    ]
    assert art20_row_key("规范性文件(指各行政机关印发的有正式文号的文件)") == "规范性文件"
    assert art20_row_key("规章制度") is None
    assert art20_code("规章", "本年新制作数量") == "art20.regulations.new"
    assert art20_code("行政许可", "处理决定数量") == "art20.licensing.decisions"
    assert art20_code("行政许可", "本年处理决定数量") == "art20.licensing.decisions"
    # U17: 2019 row label under 2021 columns is decided by the column
    assert art20_code("规范性文件", "本年制发件数") == "art20.normative_docs.issued"
    assert art20_code("行政规范性文件", "本年新制作数量") == "art20.normative_docs.new"
    assert art20_code("规章", "上一年项目数量") is None


def test_art20_unreadable_header_is_completed_only_when_one_set_fits():
    assert complete_art20_columns([None, "本年新公开数量", None]) == [
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
    ]
    # 上一年项目数量 + ? fits both the 3- and the 2-column set: only the length decides
    assert complete_art20_columns(["上一年项目数量", None]) == ["上一年项目数量", "本年增/减"]
    assert complete_art20_columns([None, None]) == [None, None]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (["行政复议", "结果维持"], "review.upheld"),
        (["行政复议", "总计"], "review.total"),
        (["行政复议", "尚未\n审结"], "review.pending"),
        (["行政诉讼", "未经复议直接起诉", "结果纠正"], "litigation.direct.corrected"),
        (["行政诉讼", "复议后起诉", "其他结果"], "litigation.after_review.other"),
        (["行政诉讼", "复议后起诉", "合计"], "litigation.after_review.total"),
        (["行 政 诉 讼", "未经复议直接起诉", "尚未审结"], "litigation.direct.pending"),
        (["行政诉讼", "结果维持"], None),  # block unknown: not guessed
        (["申请人情况"], None),
    ],
)
def test_review_columns(path, code):
    assert review_code(path) == code


def test_review_order_is_the_official_fifteen():
    order = tpl.review_order()
    assert len(order) == 15 and order[0] == "review.upheld" and order[4] == "review.total"
    assert order[5] == "litigation.direct.upheld" and order[14] == "litigation.after_review.total"


@pytest.mark.parametrize(
    ("lines", "scope"),
    [
        (["2017年度政府信息公开工作情况统计表", "市本级"], "self"),
        (["2017年度政府信息公开工作情况统计表", "本行政区域"], "region"),
        (["附表", "统计表(市本级)"], "self"),
        (["本机关"], "self"),
        (["全区政府信息公开情况统计表"], "region"),
        (["统计表"], None),
        ([], None),
        # prose is not a caption, even when it mentions 全区
        (["2017年,“双公示”栏目公开了全区41个部门的“双公示目录”,截至目前东胜区信用网已申请账号35个。"],
         None),
    ],
)  # fmt: skip
def test_scope_from_caption(lines, scope):
    assert scope_of(lines) == scope


def test_detect_template_by_labels_never_by_year():
    assert detect_template([], []) is None
    assert detect_template(["统计指标"], []) is None  # nothing read: no statistics table
    assert detect_template(["本年制发件数", "本年新制作数量"], ["art20"]) == "gov2021"
    assert detect_template(["1.申请人无正当理由逾期不补正、行政机关不再处理"], ["apps"]) == "gov2021"
    assert detect_template(["本年新 制作数量"], ["art20"]) == "gov2019"
    assert detect_template(["本年增/"], ["art20"]) == "gov2019"
    assert detect_template(["一、本年新收政府信息公开申请数量"], ["apps"]) == "gov2019"
    assert detect_template(["统 计 指 标", "单位", "统计数"], ["rows"]) == "legacy"
    assert detect_template(["（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）"], ["rows"]) == ("legacy")
    assert detect_template(["公开类别", "单位", "数量", "主动公开政府信息总数"], ["rows"]) == "other"
