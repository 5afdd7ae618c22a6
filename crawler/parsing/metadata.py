"""Report metadata: title, report year, publish date, source line and publishing body.

Read in the order docs/portals.md §1.1 gives: the national meta tags, the visible header line of each
portal, then the body text. Pure functions: text and HTML in, Metadata out.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import cast

from dateutil import parser as dateparser
from lxml import etree

from crawler.parsing.classify import is_annual_report_title
from crawler.parsing.html import leading_lines, parse_html
from crawler.parsing.model import Metadata
from crawler.parsing.text import nfkc

# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

# 〇 is often typed as ○ (U+25CB), 零 or a Latin O in PDFs.
_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "O": 0, "o": 0, "一": 1, "二": 2, "三": 3, "四": 4}
_CN_DIGIT |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_YEAR = "[〇零○Oo一二三四五六七八九]{4}"
_CN_SMALL = "[一二三四五六七八九十]{1,3}"
_YEAR = rf"(?<![\d〇零○一二三四五六七八九])(\d{{4}}|{_CN_YEAR})"
_PART = rf"(\d{{1,2}}|{_CN_SMALL})"
# 2020年2月27日, 2020 年 1 月, 二〇二〇年一月二十三日, 二〇二〇年 (month and day optional)
_CN_DATE = rf"{_YEAR}\s*年(?:\s*{_PART}\s*月(?:\s*{_PART}\s*[日号])?)?"
# 2020-02-27, 2020/2/27, 2020.02.27
_ISO_DATE = r"(?<!\d)(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)"
_TIME = r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DATE_RE = re.compile(rf"{_CN_DATE}|{_ISO_DATE}")
_FULL_DATE_RE = re.compile(rf"\s*(?:{_CN_DATE}|{_ISO_DATE}){_TIME}\s*")
_EARLIEST_YEAR, _LATEST_YEAR = 1990, 2100


def _number(token: str) -> int:
    """12, 二〇二〇, 十, 二十三 → int."""
    if token.isdigit():
        return int(token)
    if "十" in token:
        tens, _, ones = token.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
    return int("".join(str(_CN_DIGIT[c]) for c in token))


def _date_from_match(match: re.Match) -> tuple[date, str] | None:
    cn_year, cn_month, cn_day, iso_year, iso_month, iso_day = match.groups()
    try:
        if iso_year:
            year, month, day, precision = int(iso_year), int(iso_month), int(iso_day), "day"
        else:
            year = _number(cn_year)
            month = _number(cn_month) if cn_month else 1
            day = _number(cn_day) if cn_day else 1
            precision = "day" if cn_day else "month" if cn_month else "year"
        if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
            return None
        return date(year, month, day), precision
    except (KeyError, ValueError):
        return None  # 十十 or 2月30日: not a date


def parse_chinese_date(s: str) -> tuple[date, str] | None:
    """(date, precision) for a string that is a date: 2020年2月27日, 二〇二〇年一月 (→ 2020-01-01,
    "month"), 二〇二〇年一月二十三日, 2020年 ("year"), 2020-02-27, 2019-02-15 23:45, 2020/2/27.

    A missing day or month is never filled in: the precision says what the text gave.
    Returns None for anything else, including damaged dates such as 20201月1日.
    """
    match = _FULL_DATE_RE.fullmatch(nfkc(s))
    return _date_from_match(match) if match else None


# two defaults that differ in every field: a field dateutil filled in comes out different
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


def parse_meta_date(s: str) -> tuple[date, str] | None:
    """A meta tag's date (PubDate): the Chinese and ISO forms of parse_chinese_date, then any
    other form python-dateutil reads (Thu, 27 Feb 2020 10:30:00 +0800; 20200227; Feb 2020).
    dateutil fills missing fields from a default, so the value is parsed with two defaults: a
    field that differs between them was not in the text, and lowers the precision instead."""
    found = parse_chinese_date(s)
    if found or not s.strip():
        return found
    try:
        first, second = (dateparser.parse(s, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        return None
    if first.year != second.year or not _EARLIEST_YEAR <= first.year <= _LATEST_YEAR:
        return None  # no year given: not a publish date
    if first.month != second.month:
        return date(first.year, 1, 1), "year"
    if first.day != second.day:
        return date(first.year, first.month, 1), "month"
    return first.date(), "day"


def _first_date(s: str) -> tuple[date, str] | None:
    for match in _DATE_RE.finditer(s):
        found = _date_from_match(match)
        if found:
            return found
    return None


# ---------------------------------------------------------------------------------------------
# Page parts: meta tags, title candidates, header lines
# ---------------------------------------------------------------------------------------------

# The page header ends where the article's prose starts: the first long line.
_PROSE_LINE = 100
_HEADER_DATE = re.compile(
    rf"(?:发布日期|发布时间|公开日期|(?<![\u4e00-\u9fff])时间|(?<![\u4e00-\u9fff])日期)\s*:\s*"
    rf"(?:{_ISO_DATE}|{_CN_DATE})"
)
_LABEL_VALUE = r"[ \t]*:[ \t]*(\S*)"
_SOURCE = re.compile(rf"(?:信息来源|资料来源|(?<![\u4e00-\u9fff])来源){_LABEL_VALUE}")
_AUTHOR = re.compile(rf"(?<![\u4e00-\u9fff])作者{_LABEL_VALUE}")
# Header labels glued to a value when the spans around them carry no space.
_NEXT_LABEL = re.compile(r"(?:发布日期|发布时间|公开日期|时间|日期|浏览次数|点击次数|字号|作者|信息来源|来源|打印):")
# An unfilled CMS template code such as 诸城's `来源: SRC-122` (docs/portals.md §4.3).
_TEMPLATE_CODE = re.compile(r"[A-Z]{2,}[-_]?\d+")
_TITLE_SEPARATORS = re.compile(r"\s+[-–—|]\s+|[_|]")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def _meta(root, name: str) -> str | None:
    for element in root.iter("meta"):
        if (element.get("name") or "").strip().lower() == name.lower():
            value = collapse_spaces(element.get("content") or "")
            if value:
                return value
    return None


def collapse_spaces(s: str) -> str:
    """Whitespace runs (incl. U+00A0, U+3000) to one space, stripped; no other change."""
    return _SPACES.sub(" ", s).strip()


def _header_lines(text: str) -> list[str]:
    lines = []
    for line in nfkc(text).splitlines():
        if len(line.strip()) >= _PROSE_LINE:
            break
        lines.append(line)
    return lines


def _header_date(lines: list[str]) -> tuple[date, str] | None:
    for line in lines:
        for match in _HEADER_DATE.finditer(line):
            found = _first_date(match.group())
            if found:
                return found
    return None


def _label_value(pattern: re.Pattern, lines: list[str]) -> str | None:
    """The first non-empty value after a label such as 信息来源:, cut before a glued next label."""
    for line in lines:
        for match in pattern.finditer(line):
            value = _NEXT_LABEL.split(match.group(1))[0].strip()
            if value:
                return value
    return None


def _source(lines: list[str], meta_source: str | None) -> str | None:
    if meta_source and not _TEMPLATE_CODE.fullmatch(meta_source):
        return meta_source
    source = _label_value(_SOURCE, lines)
    if source and _TEMPLATE_CODE.fullmatch(source):
        # the 来源 field was never filled in; the 作者 field names the publishing office
        return _label_value(_AUTHOR, lines)
    return source


# ---------------------------------------------------------------------------------------------
# Title, year, agency
# ---------------------------------------------------------------------------------------------

_TITLE_YEAR = re.compile(r"(?<![\d０-９])([0-9０-９]{4}|[〇零○OoＯ一二三四五六七八九]{4})\s*年")
_STATISTICS_PERIOD = re.compile(rf"统计(?:期限|期间|时限|时段|时间)[^。\d]{{0,6}}?{_YEAR}\s*年")
_HAS_YEAR = re.compile(r"(?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年")
_SENTENCE_PUNCTUATION = re.compile(r"[。,，;；]")
_LONGEST_TITLE = 60
_DISCLOSURE = "信息公开"


_STRING = etree.XPath("string()")


def _string(element: etree._Element) -> str:
    """An element's text content, as lxml.html's text_content()."""
    return cast(str, _STRING(element))  # XPath string() always yields a string


def _html_title(root) -> str | None:
    """A report title from the page's h1–h3 or <title> (whose site-name suffix is split off)."""
    headings = [collapse_spaces(_string(h)) for h in root.iter("h1", "h2", "h3")]
    title_element = root.find(".//title")
    page_title = collapse_spaces(_string(title_element)) if title_element is not None else ""
    title_parts = [collapse_spaces(p) for p in _TITLE_SEPARATORS.split(page_title)]
    for candidate in headings + title_parts:
        if is_annual_report_title(candidate):
            return candidate
    return title_parts[0] or None


def _text_title(text: str) -> str | None:
    """The first line that reads as a report title (short, names a year, no sentence)."""
    for line in text.splitlines():
        line = collapse_spaces(line)
        if (
            len(line) <= _LONGEST_TITLE
            and is_annual_report_title(line)
            and _HAS_YEAR.search(nfkc(line))
            and not _SENTENCE_PUNCTUATION.search(line)
        ):
            return line
    return None


def _title(text: str, root, list_title: str | None) -> str | None:
    html_title = None
    if root is not None:
        meta_title = _meta(root, "ArticleTitle")
        if meta_title:
            return meta_title
        html_title = _html_title(root)
        if html_title and is_annual_report_title(html_title):
            return html_title
    if list_title and collapse_spaces(list_title):
        return collapse_spaces(list_title)
    # a page whose own title is not a report stays what it is (图解, 解读 …): the text is
    # searched only when the page gives no title at all
    if html_title:
        return html_title
    return _text_title(text)


def _year_from(title: str | None, text: str) -> int | None:
    if title:
        match = _TITLE_YEAR.search(title)
        if match:
            year = _number(nfkc(match.group(1)))
            if _EARLIEST_YEAR <= year <= _LATEST_YEAR:
                return year
    match = _STATISTICS_PERIOD.search(nfkc(text))
    if match:
        year = _number(match.group(1))
        if _EARLIEST_YEAR <= year <= _LATEST_YEAR:
            return year
    return None


def agency_from_title(title: str | None) -> str | None:
    """The body named in a report title: 东营市人民政府2019年政府信息公开工作年度报告 → 东营市人民政府.

    The name before the year; for titles that start with the year, the words between the year
    and 政府信息公开. None for titles that are not reports (图解…, notices): their leading words
    are no body's name.
    """
    if not title or not is_annual_report_title(title):
        return None
    title = collapse_spaces(title)
    match = _TITLE_YEAR.search(title)
    name = title[: match.start()] if match else ""
    if not name.strip():
        rest = title[match.end() :] if match else title
        name = rest.lstrip("度 ").split(_DISCLOSURE)[0]
        # 政府 before 信息公开 belongs to 政府信息公开 unless the name itself ends in 人民政府
        if name.endswith("政府") and (name.endswith("政府政府") or not name.endswith("人民政府")):
            name = name[: -len("政府")]
    name = re.sub(r"^关于|关于$|的$", "", name.strip()).strip()
    return name or None


# ---------------------------------------------------------------------------------------------
# Publish date from a signature
# ---------------------------------------------------------------------------------------------

# A signature is a date alone on its line, or after the signing body's name.
_SIGNATURE = re.compile(rf"^(?:\S.{{0,40}}?(?:政府|办公室|委员会|管委会|局|厅|办|中心|院|署|处)\s*)?({_CN_DATE})\s*$")
_SIGNATURE_TAIL_LINES = 15
_SIGNATURE_HEAD_LINES = 5  # PDF covers: 临沂 prints its signature under the title


def _signature_date(text: str, year: int | None) -> tuple[date, str] | None:
    lines = [line.strip() for line in nfkc(text).splitlines() if line.strip()]
    tail = lines[::-1][:_SIGNATURE_TAIL_LINES]
    head = lines[:_SIGNATURE_HEAD_LINES]
    for line in tail + head:
        match = _SIGNATURE.match(line)
        found = _first_date(match.group(1)) if match else None
        # a year-only date is no signature; a report is published after its year starts
        if found and found[1] != "year" and (year is None or found[0].year >= year):
            return found
    return None


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def extract_metadata(
    text: str,
    html: str | None = None,
    url: str | None = None,
    list_title: str | None = None,
    *,
    root: etree._Element | None = None,
) -> Metadata:
    """Title, year, publish date, source and agency of a report.

    `text`: the report text (article body or attachment text); `html`: the whole page, for meta
    tags and header lines (or `root`, the page's tree from crawler.parsing.html.parse_html, when
    the caller has parsed it already); `list_title`: the title on the list page. `url` is accepted
    for context but never used for the year or date (URL date ≠ publish date ≠ report year).

    Publish date: the page's header line wins over meta PubDate when both exist (republished
    pages keep the original date in the header, docs/portals.md §5.3), then a signature date.
    """
    if root is None and html:
        root = parse_html(html)
    meta_source = _meta(root, "ContentSource") if root is not None else None

    def settled(lines: list[str]) -> bool:  # both readers of the header have their first match
        return _header_date(lines) is not None and _source(lines, meta_source) is not None

    # the page's header: its text lines above the first prose line (or as far as `settled`), the
    # rest of the page never turned into text
    page_header = leading_lines(root, _PROSE_LINE, settled) if root is not None else []
    text_header = _header_lines(text)

    title = _title(text, root, list_title)
    year = _year_from(title, text)
    published = (
        _header_date(page_header)
        or _header_date(text_header)
        or (parse_meta_date(_meta(root, "PubDate") or "") if root is not None else None)
        or _signature_date(text, year)
    )
    return Metadata(
        title=title,
        year=year,
        published_at=published[0] if published else None,
        published_precision=published[1] if published else None,
        agency=agency_from_title(title),
        source=_source(page_header, meta_source) or _source(text_header, None),
    )
