"""The three generations of statistics table: label keys, label → code, detection (docs/templates.md).

Everything here is knowledge about the forms; statistics.py walks grids and flattened text and
asks this module what a label, a column header or a set of header labels means.
Labels are compared as keys: NFKC, whitespace removed, quotes dropped, ordinal punctuation and
`,`/`、` unified, 合计 read as 总计 (docs/templates.md §6.9, §7).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from crawler.parsing.metrics import MetricDefinition, load_metrics
from crawler.parsing.model import APPLICANTS
from crawler.parsing.text import label_key

# ---------------------------------------------------------------------------------------------
# label keys

_QUOTES = re.compile("[\"'\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f]")
_CN = "一二三四五六七八九十"
_ARABIC_ORDINAL = re.compile(r"^(\d{1,2})[、.,．]")
_CN_ORDINAL = re.compile(rf"^([{_CN}]{{1,3}})[、.,．]")
_PAREN_ORDINAL = re.compile(rf"^\(([{_CN}]{{1,3}})\)[、.,]?")
_ANY_ORDINAL = re.compile(rf"^(?:\d{{1,2}}\.|[{_CN}]{{1,3}}、|\([{_CN}]{{1,3}}\))")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_PURE_NOTE = re.compile(r"^\([^()]*\)$")
_MIN_BARE = 4  # a label shorter than this without its ordinal (其他, 规章) is too vague to match


# pure, and asked for the same few hundred labels ~1000 times per report; 2048, not more: a
# worker parses for hours, and each report's own text lines would fill a larger cache (~5 MiB)
@lru_cache(maxsize=2048)
def match_key(label: str) -> str:
    """The key a printed label is matched by: `（一） 收到申请数` and `(一)收到申请数` agree."""
    key = _QUOTES.sub("", label_key(label or ""))
    key = _ARABIC_ORDINAL.sub(r"\1.", key)
    key = _CN_ORDINAL.sub(r"\1、", key)
    key = _PAREN_ORDINAL.sub(r"(\1)", key)
    return key.replace(",", "、").replace("合计", "总计")


def strip_notes(key: str) -> str:
    """Drop trailing bracketed notes: `(一)主动公开政府信息数(不同渠道…计1条)` → `(一)主动公开政府信息数`.
    Z repeats the note on the next line, so more than one may trail."""
    while True:
        stripped = _TRAILING_NOTE.sub("", key)
        if stripped == key or not stripped or _ANY_ORDINAL.fullmatch(stripped):
            return key
        key = stripped


def bare_key(key: str) -> str:
    """Without notes, ordinal and 其中: — for tables that renumber rows (docs/templates.md §2.3)."""
    key = _ANY_ORDINAL.sub("", strip_notes(key))
    return key.removeprefix("其中:")


def is_pure_note(text: str) -> bool:
    """A cell or line that is only a bracketed note, e.g. `(不同渠道和方式公开相同信息计1条)`."""
    return bool(_PURE_NOTE.match(label_key(text)))


def has_open_bracket(text: str) -> bool:
    key = label_key(text)
    return key.count("(") > key.count(")")


# ---------------------------------------------------------------------------------------------
# row labels → codes


@dataclass(frozen=True)
class LabelMatch:
    codes: tuple[str, ...]  # candidate codes, several when the label recurs under other parents
    how: str  # "full", "stripped" or "bare"


class LabelIndex:
    """Row labels of one kind of table (legacy rows, application table) → candidate codes.

    A label is looked up as printed, then without its notes, then without its ordinal; the
    first level that knows it answers. Candidates are narrowed by the parent's group when a
    label recurs (`(三)其他情形数` under 四/五/六).
    """

    def __init__(self, definitions: Iterable[MetricDefinition], group_of: Callable[[str], str]) -> None:
        self.group_of = group_of
        self._levels: list[dict[str, list[str]]] = [{}, {}, {}]
        for d in definitions:
            for label in d.labels:
                if " > " in label:
                    continue  # grid path labels (表二/表四) are matched elsewhere
                full = match_key(label)
                for level, key in zip(self._levels, self._variants(full), strict=True):
                    if key and d.code not in level.setdefault(key, []):
                        level[key].append(d.code)

    @staticmethod
    def _variants(full: str) -> tuple[str, str, str]:
        bare = bare_key(full)
        return full, strip_notes(full), bare if len(bare) >= _MIN_BARE else ""

    def lookup(self, label: str) -> LabelMatch | None:
        # the same few hundred labels are looked up thousands of times a crawl (matches are
        # frozen); bounded, as text lines looked up once each would fill it over a long crawl
        cached = self.__dict__.get("_cached")
        if cached is None:
            cached = self.__dict__["_cached"] = lru_cache(maxsize=1024)(self._lookup)
        return cached(label)

    def _lookup(self, label: str) -> LabelMatch | None:
        full = match_key(label)
        if not full:
            return None
        for how, level, key in zip(("full", "stripped", "bare"), self._levels, self._variants(full), strict=True):
            if key and key in level:
                return LabelMatch(tuple(level[key]), how)
        return None

    def resolve(self, match: LabelMatch | None, group: str | None) -> str | None:
        """The one code a match stands for under the parent group `group`, or None."""
        if match is None:
            return None
        if len(match.codes) == 1:
            return match.codes[0]
        narrowed = [c for c in match.codes if group is not None and self.group_of(c) == group]
        return narrowed[0] if len(narrowed) == 1 else None


def metric(code: str) -> MetricDefinition:
    return load_metrics()[code]


def is_heading(code: str | None) -> bool:
    return code is not None and code.endswith(".heading")


# Legacy rows: the parent group is the section (一…十三) the row sits in; codes are named after
# it, except the training rows printed under 十三 (meetings).
def legacy_group(code: str) -> str:
    first = code.split(".", 1)[0]
    return "meetings" if first == "training" else first


@cache
def legacy_top_level() -> frozenset[str]:
    """Codes of the section rows (`四、行政复议数量`): they set the group for the rows below."""
    top = re.compile(rf"^[{_CN}]{{1,3}}、")
    return frozenset(
        d.code
        for d in load_metrics().values()
        if "legacy" in d.templates and any(top.match(label) for label in d.labels)
    )


@cache
def legacy_index() -> LabelIndex:
    """Legacy 统计表 rows, incl. the Shandong rows and the labels of bodies' own tables (DS)."""
    return LabelIndex((d for d in load_metrics().values() if "legacy" in d.templates), legacy_group)


def apps_group(code: str) -> str:
    return code.rsplit(".", 1)[0]


def apps_context(code: str) -> str:
    """The group a group row opens: `(三)不予公开` (withheld.total) → apps.result.withheld."""
    return code.removesuffix(".total")


# Group rows of 表三: the official form prints no subtotal on them, so no values is normal.
APPS_GROUPS = frozenset(
    {
        "apps.result.heading",
        "apps.result.withheld.total",
        "apps.result.unavailable.total",
        "apps.result.not_processed.total",
        "apps.result.other",  # a data row in 2019, the group over three rows in 2021
    }
)


@cache
def apps_index() -> LabelIndex:
    return LabelIndex((d for d in load_metrics().values() if d.code.startswith("apps.")), apps_group)


# ---------------------------------------------------------------------------------------------
# 表三 columns: applicant by header label

# the official form prints the applicant columns in the order of model.APPLICANTS
APPLICANT_ORDER = APPLICANTS
_APPLICANT_WORDS = (
    ("自然人", "natural_person"),
    ("商业企业", "commercial"),
    ("事业企业", "commercial"),  # U15 prints 事业企业 in the 商业企业 position
    ("科研机构", "research"),
    ("社会公益组织", "public_interest"),
    ("法律服务机构", "legal_services"),
)
APPS_HEADER_WORDS = ("申请人情况", "法人或其他组织", "勾稽关系", "自然人", "商业企业", "科研机构")


def applicant_of(header: str) -> str | None:
    key = match_key(header)
    for word, applicant in _APPLICANT_WORDS:
        if word in key:
            return applicant
    if key == "其他":
        return "other_org"
    if key == "总计":
        return "total"
    return None


def is_apps_header(text: str) -> bool:
    key = match_key(text)
    return any(word in key for word in APPS_HEADER_WORDS) or applicant_of(text) is not None


# ---------------------------------------------------------------------------------------------
# 表二 (第二十条): row label × column header → code

# column header fragments → the column label metrics.csv uses; checked in this order.
_ART20_COLUMNS = (
    ("新制作", "本年新制作数量"),
    ("新公开", "本年新公开数量"),
    ("对外公开总数", "对外公开总数量"),
    ("制发", "本年制发件数"),
    ("废止", "本年废止件数"),
    ("现行有效", "现行有效件数"),
    ("上一年", "上一年项目数量"),
    ("本年增", "本年增/减"),  # DY prints the broken header 本年增/
    ("本年处理决定", "本年处理决定数量"),
    ("处理决定", "处理决定数量"),
    ("收费金额", "本年收费金额"),
    ("采购项目", "采购项目数量"),
    ("总金额", "采购总金额"),
)
# Known column sets, used when one header of a block is unreadable (U4: `本年新 | 本年新`).
_ART20_COLUMN_SETS = (
    ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
    ("本年制发件数", "本年废止件数", "现行有效件数"),
    ("上一年项目数量", "本年增/减", "处理决定数量"),
    ("上一年项目数量", "本年增/减"),
    ("采购项目数量", "采购总金额"),
)
# Rows 2021 renamed: U17 keeps 规范性文件 under 2021 columns, so try the other name too.
_ART20_ROW_ALIASES = {"规范性文件": "行政规范性文件", "行政规范性文件": "规范性文件"}


def art20_column(header: str) -> str | None:
    """The canonical column label of one 表二 column header, None if unrecognised."""
    key = strip_notes(match_key(header))
    for fragment, column in _ART20_COLUMNS:
        if fragment in key:
            return column
    return None


def art20_columns_in(joined: str) -> list[str]:
    """Column labels in the order they appear in a header flattened into one string
    (`本年新` / `制作数量` on separate lines)."""
    key = match_key(joined)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for fragment, column in _ART20_COLUMNS:
        for m in re.finditer(re.escape(fragment), key):
            span = (m.start(), m.end())
            if not any(a < span[1] and span[0] < b for a, b in taken):
                taken.append(span)
                found.append((m.start(), column))
    return [column for _, column in sorted(found)]


def complete_art20_columns(columns: list[str | None]) -> list[str | None]:
    """Fill unrecognised headers from the one known column set that fits the recognised ones."""
    if all(columns) or not any(columns):
        return columns
    fits = [
        s
        for s in _ART20_COLUMN_SETS
        if len(s) == len(columns) and all(c is None or c == s[i] for i, c in enumerate(columns))
    ]
    return list(fits[0]) if len(fits) == 1 else columns


@cache
def _art20_codes() -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for d in load_metrics().values():
        if not d.code.startswith("art20."):
            continue
        for label in d.labels:
            row, _, column = label.partition(" > ")
            out[(strip_notes(match_key(row)), strip_notes(match_key(column)))] = d.code
    return out


@cache
def art20_rows() -> frozenset[str]:
    return frozenset(row for row, _ in _art20_codes())


def art20_row_key(label: str) -> str | None:
    """The row key of a 表二 row label (`规范性文件(指…的文件)` → 规范性文件), None if unknown."""
    key = strip_notes(match_key(label))
    return key if key in art20_rows() else None


def art20_code(row_key: str, column: str) -> str | None:
    col = strip_notes(match_key(column))
    codes = _art20_codes()
    code = codes.get((row_key, col))
    if code is None and row_key in _ART20_ROW_ALIASES:
        code = codes.get((_ART20_ROW_ALIASES[row_key], col))
    return code


# Columns a 表二 row can only have when its block header is missing, by value count.
_ART20_BY_COUNT = {
    ("行政许可", 3): _ART20_COLUMN_SETS[2],
    ("其他对外管理服务事项", 3): _ART20_COLUMN_SETS[2],
    ("行政处罚", 3): _ART20_COLUMN_SETS[2],
    ("行政强制", 3): _ART20_COLUMN_SETS[2],
    ("行政许可", 1): ("本年处理决定数量",),
    ("行政处罚", 1): ("本年处理决定数量",),
    ("行政强制", 1): ("本年处理决定数量",),
    ("行政事业性收费", 2): _ART20_COLUMN_SETS[3],
    ("行政事业性收费", 1): ("本年收费金额",),
    ("政府集中采购", 2): _ART20_COLUMN_SETS[4],
}


def art20_columns_by_count(row_key: str, count: int) -> tuple[str, ...] | None:
    """Columns of a row without a readable block header, when its value count decides them
    (规章 with 3 values could be 2019 or 2021: None)."""
    return _ART20_BY_COUNT.get((row_key, count))


def is_art20_block_caption(text: str) -> bool:
    return match_key(text).startswith("第二十条")


def is_art20_header_start(text: str) -> bool:
    return match_key(text).startswith("信息内容")


# ---------------------------------------------------------------------------------------------
# 表四: column header path → code

_REVIEW_BLOCKS = (
    ("复议后", "复议后起诉"),
    ("未经复议", "未经复议直接起诉"),
    ("直接起诉", "未经复议直接起诉"),
)
_REVIEW_RESULTS = (
    ("维持", "结果维持"),
    ("纠正", "结果纠正"),
    ("纠错", "结果纠正"),
    ("其他", "其他结果"),
    ("审结", "尚未审结"),
    ("未结", "尚未审结"),
    ("总计", "总计"),
)
REVIEW_HEADER_WORDS = (
    "行政复议",
    "行政诉讼",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
    "总计",
)


@cache
def _review_codes() -> dict[str, str]:
    out: dict[str, str] = {}
    for d in load_metrics().values():
        if d.code.split(".")[0] not in ("review", "litigation"):
            continue
        for label in d.labels:
            if " > " in label:
                out[label.replace(" ", "")] = d.code
    return out


@cache
def review_order() -> tuple[str, ...]:
    """The 15 codes of 表四 in the official column order."""
    results = ("upheld", "corrected", "other", "pending", "total")
    return tuple(
        f"{block}.{r}" for block in ("review", "litigation.direct", "litigation.after_review")
        for r in results
    )  # fmt: skip


def review_code(path: Iterable[str]) -> str | None:
    """The code of a 表四 column from its header cells top to bottom."""
    joined = "".join(match_key(p) for p in path)
    result = next((label for word, label in _REVIEW_RESULTS if word in joined), None)
    if result is None:
        return None
    block = next((label for word, label in _REVIEW_BLOCKS if word in joined), None)
    if block is not None:
        return _review_codes().get(f"行政诉讼>{block}>{result}")
    if "行政复议" in joined:
        return _review_codes().get(f"行政复议>{result}")
    return None


def is_review_header_start(texts: list[str]) -> bool:
    """`行政复议` followed closely by `行政诉讼`: the head of 表四."""
    keys = [match_key(t) for t in texts]
    return bool(keys) and keys[0] == "行政复议" and "行政诉讼" in keys[1:4]


# ---------------------------------------------------------------------------------------------
# legacy table header and scope caption

LEGACY_HEADER_WORDS = frozenset(
    {"统计指标", "指标名称", "单位", "计量单位", "统计数", "数量", "数值", "公开类别", "类别"}
)


def is_legacy_header(text: str) -> bool:
    return match_key(text) in LEGACY_HEADER_WORDS


def is_legacy_table_start(text: str) -> bool:
    return match_key(text) in ("统计指标", "指标名称", "公开类别")


_REGION = ("本行政区域", "行政区域", "全市", "全区", "全县", "全旗", "全省", "全镇")
_SELF = ("本级", "本机关", "本部门", "本单位")
_MAX_CAPTION = 40  # longer lines are prose (全区41个部门…), not a caption


def scope_of(caption_lines: Iterable[str]) -> str | None:
    """`self` or `region` from the caption lines before a legacy table, nearest line first."""
    for line in reversed(list(caption_lines)):
        key = match_key(line)
        if not key or len(key) > _MAX_CAPTION:
            continue
        if any(word in key for word in _REGION):
            return "region"
        if any(word in key for word in _SELF):
            return "self"
    return None


# ---------------------------------------------------------------------------------------------
# generation

_GOV2021 = ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
            "申请人无正当理由逾期不补正")  # fmt: skip
_GOV2019 = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/",
            "第二十条第(九)项", "政府集中采购")  # fmt: skip
_LEGACY_ROWS = ("(一)主动公开政府信息数", "四、行政复议数量", "(三)申请答复数")


def detect_template(keys: Iterable[str], kinds: Iterable[str]) -> str | None:
    """The generation of a report's statistics (docs/templates.md §1), from the label keys of the
    tables actually read and the kinds of table read (`rows`, `art20`, `apps`, `review`).
    None when no statistics table was read. Never by year."""
    kinds = set(kinds)
    if not kinds:
        return None
    keys = [match_key(k) for k in keys]
    every = "\x00".join(keys)  # one search per signal, not one per key and signal
    if any(signal in every for signal in _GOV2021):
        return "gov2021"
    if any(signal in every for signal in _GOV2019):
        return "gov2019"
    if kinds & {"art20", "apps", "review"}:
        return "gov2019"  # 表三/表四 without 2021 rows: the 2019 form
    stripped = {strip_notes(key) for key in keys}
    if ("统计指标" in keys and "统计数" in keys) or any(s in stripped for s in _LEGACY_ROWS):
        return "legacy"
    return "other"
