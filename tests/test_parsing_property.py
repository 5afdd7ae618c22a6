"""Property: a random consistent statistics table, rendered as HTML, as PDF-style rows or as
flattened text (one cell per line, or `|` rows), reads back to exactly the numbers it was made of.

The generator builds each table as a layout (rows of cells with rowspan/colspan) following
docs/templates.md, fills it with random numbers that satisfy the §5 identities, and renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.parsing.metrics import load_metrics
from crawler.parsing.model import APPLICANTS
from crawler.parsing.statistics import read_statistics
from crawler.parsing.tables import table_from_rows, tables_from_html

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RENDERINGS = ("html", "pdf", "lines", "pipes")


@dataclass
class C:
    """One layout cell."""

    text: str
    rowspan: int = 1
    colspan: int = 1


Layout = list[list[C]]


# ---------------------------------------------------------------------------------------------
# rendering


def render_html(layout: Layout) -> str:
    rows = []
    for row in layout:
        cells = "".join(f'<td rowspan="{c.rowspan}" colspan="{c.colspan}">{c.text or "&nbsp;"}</td>' for c in row)
        rows.append(f"<tr>{cells}</tr>")
    return '<table border="1">' + "".join(rows) + "</table>"


def render_pdf_rows(layout: Layout) -> list[list[str | None]]:
    """pdfplumber's shape: the merged cell's text at its origin, None where it extends."""
    placed: dict[tuple[int, int], str | None] = {}
    for r, row in enumerate(layout):
        c = 0
        for cell in row:
            while (r, c) in placed:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    placed[(r + dr, c + dc)] = cell.text if (dr, dc) == (0, 0) else None
            c += cell.colspan
    width = max(c for _, c in placed) + 1
    return [[placed.get((r, c), "") for c in range(width)] for r in range(len(layout))]


def render_flat(layout: Layout, pipes: bool) -> str:
    """What text extraction makes of a table: origin cells in reading order."""
    if pipes:
        return "\n".join(" | ".join(c.text for c in row) + " |" for row in layout)
    # one cell per line with empty separator lines; a blank cell is a non-breaking space
    return "\n\n".join(c.text or "\u00a0" for row in layout for c in row)


FULLWIDTH = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，"})
DIGITS_FW = str.maketrans("0123456789", "０１２３４５６７８９")


def label_variant(label: str, fullwidth: bool) -> str:
    return label.translate(FULLWIDTH) if fullwidth else label


def number_text(n: int, style: str) -> str:
    if style == "thousands" and n >= 1000:
        return f"{n:,}"
    if style == "fullwidth":
        return str(n).translate(DIGITS_FW)
    return str(n)


def label_of(code: str, which: int = 0) -> str:
    labels = load_metrics()[code].labels
    return labels[which].split(" > ")[-1]


# ---------------------------------------------------------------------------------------------
# legacy 统计表

LEGACY_HEAD = [
    "proactive.heading", "proactive.total", "proactive.normative_docs",
    "proactive.normative_docs_issued", "proactive.channel.heading", "proactive.channel.gazette",
    "proactive.channel.website", "proactive.channel.weibo", "proactive.channel.wechat",
    "proactive.channel.other",
    "response.heading", "response.hotspots", "response.channel.heading",
    "response.press_conferences", "response.press_conferences_leaders",
    "response.online_interviews", "response.online_interviews_leaders",
    "response.policy_explainers", "response.weibo_wechat", "response.other",
    "applications.heading", "applications.received", "applications.received.in_person",
    "applications.received.fax", "applications.received.online", "applications.received.letter",
    "applications.received.other", "applications.closed", "applications.closed.on_time",
    "applications.closed.extended", "applications.answered",
    "applications.answer.already_public", "applications.answer.granted",
    "applications.answer.partially_granted", "applications.answer.refused",
    "applications.answer.refused.state_secret", "applications.answer.refused.commercial_secret",
    "applications.answer.refused.privacy", "applications.answer.refused.security_stability",
    "applications.answer.refused.not_gov_info", "applications.answer.refused.other_legal",
    "applications.answer.not_this_agency", "applications.answer.not_exist",
    "applications.answer.clarification_requested", "applications.answer.other_channel",
    "review.total", "review.upheld", "review.corrected", "review.other",
    "litigation.total", "litigation.upheld", "litigation.corrected", "litigation.other",
    "complaints.total", "complaints.upheld", "complaints.corrected", "complaints.other",
]  # fmt: skip
LEGACY_SHANDONG = [
    "archive_submissions.total", "archive_submissions.paper", "archive_submissions.electronic",
    "portals.total", "portals.government", "portals.departments", "portals.towns",
    "gazette.heading", "gazette.issues", "gazette.copies",
    "reading_points.total", "reading_points.government", "reading_points.departments",
    "reading_points.towns",
    "reading_point_visitors.total", "reading_point_visitors.government",
    "reading_point_visitors.departments", "reading_point_visitors.towns",
]  # fmt: skip
LEGACY_TAIL = [
    "org.heading", "org.dedicated_bodies", "org.reading_points", "org.staff",
    "org.staff.full_time", "org.staff.part_time", "org.budget",
    "meetings.heading", "meetings.held", "training.sessions", "training.attendees",
]  # fmt: skip
# totals printed as the sum of their rows (docs/templates.md §5.7–§5.9)
LEGACY_SUMS = {
    "applications.received": [f"applications.received.{x}" for x in
                              ("in_person", "fax", "online", "letter", "other")],
    "applications.closed": ["applications.closed.on_time", "applications.closed.extended"],
    "applications.answer.refused": [f"applications.answer.refused.{x}" for x in
                                    ("state_secret", "commercial_secret", "privacy",
                                     "security_stability", "not_gov_info", "other_legal")],
    "applications.answered": [f"applications.answer.{x}" for x in
                              ("already_public", "granted", "partially_granted", "refused",
                               "not_this_agency", "not_exist", "clarification_requested",
                               "other_channel")],
    "review.total": ["review.upheld", "review.corrected", "review.other"],
    "litigation.total": ["litigation.upheld", "litigation.corrected", "litigation.other"],
    "complaints.total": ["complaints.upheld", "complaints.corrected", "complaints.other"],
    "archive_submissions.total": ["archive_submissions.paper", "archive_submissions.electronic"],
    "portals.total": ["portals.government", "portals.departments", "portals.towns"],
    "reading_points.total": ["reading_points.government", "reading_points.departments",
                             "reading_points.towns"],
    "reading_point_visitors.total": ["reading_point_visitors.government",
                                     "reading_point_visitors.departments",
                                     "reading_point_visitors.towns"],
    "org.staff": ["org.staff.full_time", "org.staff.part_time"],
}  # fmt: skip
LEGACY_LEQ = {
    "response.press_conferences_leaders": "response.press_conferences",
    "response.online_interviews_leaders": "response.online_interviews",
}


@st.composite
def legacy_table(draw, scope: str):
    shandong = draw(st.booleans())
    codes = LEGACY_HEAD + (LEGACY_SHANDONG if shandong else ["fees.collected"]) + LEGACY_TAIL
    if scope == "self":  # the 市本级 table has no town rows (诸城 2017)
        codes = [c for c in codes if not c.endswith(".towns")]
    numbers = st.integers(min_value=0, max_value=30000)
    values: dict[str, Decimal] = {}
    for code in codes:
        if not code.endswith(".heading") and code not in LEGACY_SUMS:
            values[code] = Decimal(draw(numbers))
    for code in ("org.budget", "fees.collected"):
        if code in values:
            values[code] = Decimal(draw(st.integers(0, 10**7))) / 100  # 万元 with 2 decimals
    for total, parts in reversed(list(LEGACY_SUMS.items())):  # inner sums first
        if total in codes:
            values[total] = sum((values[p] for p in parts if p in values), Decimal(0))
    for leaders, parent in LEGACY_LEQ.items():
        values[leaders] = min(values[leaders], values[parent])
    fullwidth = draw(st.booleans())
    style = draw(st.sampled_from(["plain", "thousands", "fullwidth"]))
    print_units = draw(st.booleans())
    national = not shandong
    rows: Layout = [[C("统 计 指 标"), C("单位"), C("统计数")]]
    for code in codes:
        which = 1 if national and code in ("org.heading", "meetings.heading") else 0
        label = label_variant(label_of(code, which), fullwidth)
        if code.endswith(".heading"):
            rows.append([C(label), C(""), C("")])
            continue
        value = values[code]
        unit = load_metrics()[code].unit or ""
        if value == value.to_integral_value():
            text = number_text(int(value), style)
        else:
            text = str(value)
        rows.append([C(label), C(unit if print_units else ""), C(text)])
    caption = ["2017年度政府信息公开工作情况统计表", "市本级" if scope == "self" else "本行政区域"]
    return caption, rows, {(code, scope, None): v for code, v in values.items()}


@given(
    st.sampled_from(RENDERINGS),
    st.lists(st.sampled_from(["self", "region"]), min_size=1, max_size=2, unique=True),
    st.data(),
)
@SETTINGS
def test_legacy_tables_read_back(rendering, scopes, data):
    expected: dict = {}
    html_parts, text_parts, tables = [], ["2017年政府信息公开工作年度报告", "附表"], []
    for scope in scopes:
        caption, layout, numbers = data.draw(legacy_table(scope))
        expected.update(numbers)
        html_parts.append("".join(f"<p>{line}</p>" for line in caption) + render_html(layout))
        text_parts += caption + [render_flat(layout, pipes=rendering == "pipes")]
        tables.append(table_from_rows(render_pdf_rows(layout), "pdf", caption="\n".join(caption)))
    stats = _read(rendering, html_parts, text_parts, tables)
    assert _values(stats) == expected
    assert stats.template == "legacy"
    assert stats.findings == []


# ---------------------------------------------------------------------------------------------
# gov2019 / gov2021: 表二, 表三, 表四

APPS_ITEMS = {
    "withheld": ["state_secret", "prohibited_by_law", "three_security_one_stability",
                 "third_party_rights", "internal_affairs", "process_info", "enforcement_file",
                 "administrative_query"],
    "unavailable": ["not_held", "needs_creation", "unclear_after_correction"],
    "not_processed": ["petition", "duplicate", "publications", "excessive", "confirm_or_reissue"],
    "other": ["no_correction", "unpaid_fee", "other"],
}  # fmt: skip
GROUP_LABELS = {
    "withheld": "(三)不予公开",
    "unavailable": "(四)无法提供",
    "not_processed": "(五)不予处理",
    "other": "(六)其他处理",
}


@st.composite
def apps_table(draw, gen: int):
    small = st.integers(min_value=0, max_value=500)
    fullwidth = draw(st.booleans())
    total_word = draw(st.sampled_from(["总计", "合计"]))

    def lab(code: str) -> str:
        label = label_of(code)
        if code == "apps.result.partial" and draw(st.booleans()):
            label = "(二)部分公开"  # often printed without its note
        if code == "apps.result.total":
            label = f"(七){total_word}"
        if "“" in label and draw(st.booleans()):
            label = label.replace("“", '"').replace("”", '"')
        if "、行政机关" in label and draw(st.booleans()):
            label = label.replace("、行政机关", ",行政机关")
        return label_variant(label, fullwidth)

    cols: dict[str, list[int]] = {}

    def leaf(code: str) -> None:
        six = [draw(small) for _ in range(6)]
        cols[code] = six + [sum(six)]

    result_rows: list[tuple[str | None, str]] = []  # (group label, code)
    leaf("apps.result.disclosed")
    leaf("apps.result.partial")
    result_rows += [(None, "apps.result.disclosed"), (None, "apps.result.partial")]
    for group, items in APPS_ITEMS.items():
        if group == "other" and gen == 2019:
            leaf("apps.result.other")
            result_rows.append((None, "apps.result.other"))
            continue
        for item in items:
            code = f"apps.result.{group}.{item}"
            leaf(code)
            result_rows.append((GROUP_LABELS[group], code))
    cols["apps.result.total"] = [sum(cols[code][i] for _, code in result_rows) for i in range(7)]
    result_rows.append((None, "apps.result.total"))
    leaf("apps.carried_out")
    carried_in = [draw(st.integers(0, cols["apps.result.total"][i] + cols["apps.carried_out"][i]))
                  for i in range(6)]  # fmt: skip
    cols["apps.carried_in"] = carried_in + [sum(carried_in)]
    cols["apps.new"] = [
        cols["apps.result.total"][i] + cols["apps.carried_out"][i] - cols["apps.carried_in"][i] for i in range(7)
    ]

    def vals(code: str) -> list[C]:
        return [C(str(n)) for n in cols[code]]

    layout: Layout = [
        [C(label_variant("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
                         fullwidth), 3, 3), C("申请人情况", 1, 7)],
        [C("自然人", 2), C("法人或其他组织", 1, 5), C("总计", 2)],
        [C(x) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
        [C(lab("apps.new"), 1, 3), *vals("apps.new")],
        [C(lab("apps.carried_in"), 1, 3), *vals("apps.carried_in")],
    ]  # fmt: skip
    previous_group = None
    for n, (group_label, code) in enumerate(result_rows):
        row: list[C] = []
        if n == 0:
            row.append(C("三、本年度办理结果", len(result_rows)))
        if group_label is None:
            row.append(C(lab(code), 1, 2))
        else:
            if group_label != previous_group:
                span = sum(1 for g, _ in result_rows if g == group_label)
                row.append(C(label_variant(group_label, fullwidth), span))
            row.append(C(lab(code)))
        previous_group = group_label
        layout.append(row + vals(code))
    layout.append([C(lab("apps.carried_out"), 1, 3), *vals("apps.carried_out")])
    expected = {
        (code, None, applicant): Decimal(n)
        for code, numbers in cols.items()
        for applicant, n in zip(APPLICANTS, numbers, strict=True)
    }
    return layout, expected


@st.composite
def review_table(draw):
    blocks = ("review", "litigation.direct", "litigation.after_review")
    results = ("upheld", "corrected", "other", "pending")
    expected, numbers = {}, []
    for block in blocks:
        parts = [draw(st.integers(0, 99)) for _ in results]
        for result, n in zip(results, parts, strict=True):
            expected[(f"{block}.{result}", None, None)] = Decimal(n)
        expected[(f"{block}.total", None, None)] = Decimal(sum(parts))
        numbers += parts + [sum(parts)]
    words = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    layout: Layout = [
        [C("行政复议", 1, 5), C("行政诉讼", 1, 10)],
        [*(C(w, 2) for w in words), C("未经复议直接起诉", 1, 5), C("复议后起诉", 1, 5)],
        [C(w) for w in words * 2],
        [C(str(n)) for n in numbers],
    ]
    return layout, expected


@st.composite
def art20_table(draw, gen: int):
    count = st.integers(min_value=0, max_value=99999)
    expected: dict = {}
    layout: Layout = []

    def block(x: str, headers: list[str], rows: list[tuple[str, str, list[str]]]) -> None:
        layout.append([C(f"第二十条第({x})项", 1, 4)])
        if len(headers) == 1:
            layout.append([C("信息内容"), C(headers[0], 1, 3)])
        else:
            layout.append([C("信息内容"), *(C(h) for h in headers)] + [C("")] * (3 - len(headers)))
        for label, stem, suffixes in rows:
            cells = []
            for suffix in suffixes:
                code = f"art20.{stem}.{suffix}"
                if suffix == "items_change":
                    n = draw(st.integers(-500, 500))
                    text = f"+{n}" if n > 0 and draw(st.booleans()) else str(n)
                    value = Decimal(n)
                elif suffix == "amount":
                    value = Decimal(draw(st.integers(0, 10**8))) / 1000
                    text = f"{value}万元" if stem == "procurement" else str(value)
                else:
                    value = Decimal(draw(count))
                    text = str(value)
                expected[(code, None, None)] = value
                cells.append(C(text))
            if len(cells) == 1:
                layout.append([C(label), C(cells[0].text, 1, 3)])
            else:
                layout.append([C(label), *cells] + [C("")] * (3 - len(cells)))

    if gen == 2019:
        block(
            "一",
            ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
            [
                ("规章", "regulations", ["new", "published", "in_force_total"]),
                ("规范性文件", "normative_docs", ["new", "published", "in_force_total"]),
            ],
        )
        three = ["items_prev_year", "items_change", "decisions"]
        block(
            "五",
            ["上一年项目数量", draw(st.sampled_from(["本年增/减", "本年增/"])), "处理决定数量"],
            [("行政许可", "licensing", three), ("其他对外管理服务事项", "other_services", three)],
        )
        block(
            "六",
            ["上一年项目数量", "本年增/减", "处理决定数量"],
            [("行政处罚", "penalties", three), ("行政强制", "enforcement", three)],
        )
        block(
            "八",
            ["上一年项目数量", "本年增/减"],
            [("行政事业性收费", "fees", ["items_prev_year", "items_change"])],
        )
        block(
            "九",
            ["采购项目数量", "采购总金额"],
            [("政府集中采购", "procurement", ["projects", "amount"])],
        )
    else:
        block(
            "一",
            ["本年制发件数", "本年废止件数", "现行有效件数"],
            [
                ("规章", "regulations", ["issued", "repealed", "in_force"]),
                ("行政规范性文件", "normative_docs", ["issued", "repealed", "in_force"]),
            ],
        )
        block("五", ["本年处理决定数量"], [("行政许可", "licensing", ["decisions"])])
        block(
            "六",
            ["本年处理决定数量"],
            [("行政处罚", "penalties", ["decisions"]), ("行政强制", "enforcement", ["decisions"])],
        )
        block("八", ["本年收费金额(单位:万元)"], [("行政事业性收费", "fees", ["amount"])])
    # fmt: skip
    return layout, expected


@given(st.sampled_from(RENDERINGS), st.sampled_from([2019, 2021]), st.data())
@SETTINGS
def test_gov_tables_read_back(rendering, gen, data):
    art20, art20_expected = data.draw(art20_table(gen))
    apps, apps_expected = data.draw(apps_table(gen))
    review, review_expected = data.draw(review_table())
    headings = ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况"]  # fmt: skip
    html_parts, text_parts, tables = [], [f"{gen}年政府信息公开工作年度报告"], []
    for heading, layout in zip(headings, (art20, apps, review), strict=True):
        html_parts.append(f"<p>{heading}</p>" + render_html(layout))
        text_parts += [heading, render_flat(layout, pipes=rendering == "pipes")]
        tables.append(table_from_rows(render_pdf_rows(layout), "pdf", caption=heading))
    text_parts.append("五、存在的主要问题及改进情况")
    stats = _read(rendering, html_parts, text_parts, tables)
    assert _values(stats) == {**art20_expected, **apps_expected, **review_expected}
    assert stats.template == f"gov{gen}"
    # 采购总金额 carries its unit, so no finding is expected either
    assert stats.findings == []


# ---------------------------------------------------------------------------------------------


def _read(rendering: str, html_parts: list[str], text_parts: list[str], tables: list):
    if rendering == "html":
        return read_statistics("", tables_from_html("<html><body>" + "".join(html_parts)))
    if rendering == "pdf":
        return read_statistics("", tables)
    return read_statistics("\n".join(text_parts), [])


def _values(stats) -> dict:
    out = {}
    for m in stats.metrics:
        assert m.key() not in out
        out[m.key()] = m.value
    return out
