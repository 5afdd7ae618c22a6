"""Decoding fetched HTML bytes and turning HTML into the text a reader sees.

Pure functions: bytes or str in, plain data out (docs/portals.md §1.5, §3.5).
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import cast

import cssselect
from lxml import etree
from lxml import html as lxml_html

from crawler.parsing.limits import HTML_DEPTH_CEILING, BoundExceeded
from crawler.parsing.model import Finding
from crawler.parsing.text import nfkc

# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# GB2312 and GBK are subsets of GB18030; pages labelled with them often use GBK/GB18030 characters.
_GB_FAMILY = {
    "gb2312",
    "gbk",
    "gb18030",
    "cp936",
    "ms936",
    "euc-cn",
    "x-gbk",
    "gb_2312-80",
    "csgb2312",
}
# Single-byte Latin charsets decode any byte sequence, so "it decoded" proves nothing for them;
# servers send ISO-8859-1 as a default they never meant.
_NEVER_FAILS = {"latin-1", "iso8859-1", "cp1252", "iso8859-15"}
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_HEAD_END = re.compile(rb"</head\s*>", re.I)
_META_SCAN_LIMIT = 16384


@dataclass
class DecodedPage:
    text: str
    encoding: str  # Python codec name actually used, e.g. "utf-8", "gb18030"
    findings: list[Finding] = field(default_factory=list)


def normalize_charset(name: str | None) -> str | None:
    """The Python codec name for a declared charset (GBK/GB2312 → gb18030); None if unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


_CONTENT_TYPE_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, as declared (not normalised)."""
    match = _CONTENT_TYPE_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def meta_charset(body: bytes) -> str | None:
    """The charset declared by <meta charset> or <meta http-equiv=Content-Type> in the head."""
    head = body[:_META_SCAN_LIMIT]
    end = _HEAD_END.search(head)
    if end:
        head = head[: end.start()]
    match = _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _decodes_cleanly(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _choose(body: bytes, header: str | None, meta: str | None) -> tuple[str, str] | None:
    """(encoding, text) of the first declaration that decodes without errors, or None."""
    header_text = _decodes_cleanly(body, header) if header else None
    meta_text = _decodes_cleanly(body, meta) if meta and meta != header else None
    if header and header_text is not None:
        # A meta declaration beats a header that cannot fail (Latin-1) and a header that happens
        # to decode UTF-8 bytes (a clean UTF-8 decode of non-ASCII bytes is near-certain proof).
        if meta and meta_text is not None and (header in _NEVER_FAILS or (meta == "utf-8" and not body.isascii())):
            return meta, meta_text
        return header, header_text
    if meta and meta_text is not None:
        return meta, meta_text
    # Nothing declared, or every declaration failed: UTF-8 first (a clean decode is strong
    # evidence), then GB18030, the usual encoding of pages that are not UTF-8.
    for fallback in ("utf-8", "gb18030"):
        if fallback in (header, meta):
            continue
        text = _decodes_cleanly(body, fallback)
        if text is not None:
            return fallback, text
    return None


def decode_html(body: bytes, header_charset: str | None = None) -> DecodedPage:
    """Decode an HTML response body.

    Order: a BOM; the header charset and the in-document meta declaration (the header wins when
    it decodes cleanly, the meta declaration when the header yields errors or is a Latin-1 style
    default); then UTF-8, then GB18030 (an info finding says when a declaration was overruled).
    GBK/GB2312 are always decoded as GB18030. If nothing decodes cleanly, the declared charset
    with the fewest replacement characters is used and a warning finding reports the count.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return _with_findings(body[len(bom) :].decode(encoding, "replace"), encoding)

    header = normalize_charset(header_charset)
    meta = normalize_charset(meta_charset(body))
    chosen = _choose(body, header, meta)
    if chosen:
        encoding, text = chosen
        page = DecodedPage(text=text, encoding=encoding)
        declared = [c for c in (header, meta) if c]
        if declared and encoding not in declared:
            page.findings.append(
                Finding(
                    rule="encoding",
                    severity="info",
                    detail=f"declared {'/'.join(declared)} failed to decode; decoded as {encoding}",
                )
            )
        return page

    candidates = [c for c in (header, meta) if c] or ["utf-8", "gb18030"]
    decoded = [(body.decode(c, "replace"), c) for c in dict.fromkeys(candidates)]
    text, encoding = min(decoded, key=lambda pair: pair[0].count("\ufffd"))
    return _with_findings(text, encoding)


def _with_findings(text: str, encoding: str) -> DecodedPage:
    page = DecodedPage(text=text, encoding=encoding)
    bad = text.count("\ufffd")
    if bad:
        page.findings.append(
            Finding(
                rule="encoding",
                severity="warning",
                detail=f"{bad} replacement character(s) after decoding as {encoding}",
            )
        )
    return page


def decode_text(body: bytes) -> str:
    """Decode a plain-text file: BOM, then UTF-8, then GB18030 (with replacement characters)."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace")
    text = _decodes_cleanly(body, "utf-8")
    return text if text is not None else body.decode("gb18030", "replace")


# ---------------------------------------------------------------------------------------------
# Text extraction
# ---------------------------------------------------------------------------------------------

# Elements that end a line, as a browser lays them out (table cells too: one cell per line).
_BLOCK = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li "
    "main menu nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
# Never visible as text.
_SKIP = frozenset(
    "head title meta link script style noscript template object embed iframe select option "
    "input textarea svg canvas map area".split()
)
# Inline elements a reader sees as separate items (menus of links, buttons): when two of them
# touch with no text between, a space keeps their texts apart. Formatting elements (span, font,
# b, strong …) get no space: they sit inside running text such as 〔2016<span>〕</span>75号.
_SEPARATED = frozenset("a img button label".split())
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# A whitespace run that holds a line break, and one that holds none (see `_text`).
_BROKEN_SPACE = re.compile(r"[ \t\f]*[\n\r][ \t\n\r\f]*")
_PLAIN_SPACE = re.compile(r"[ \t\f]+")
# Marker for a source line break inside text: dropped next to a CJK character (a line break
# in the HTML source is not a space in Chinese running text), else a space (10.57%\n13.74%).
_NEWLINE_SPACE = "\x00"
_SPACE_RUN = re.compile(r"[ \x00]+")
_SPACES_ONLY = re.compile(r"  +")
# lxml.html's parser looks up a Python element class for every element proxy it hands out;
# the readers need only the plain tree, which the plain HTML parser builds the same way.
_PARSER = etree.HTMLParser()


def parse_html(html: str):
    """The lxml document tree of a decoded page, or None when there is nothing to parse. Every
    reader of a page (text, tables, metadata) works on this one tree."""
    html = _XML_DECLARATION.sub("", html)
    if not html.strip():
        return None
    try:
        root = etree.fromstring(html, _PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root  # None for a page of nothing but comments


# libxml2 without XML_PARSE_HUGE stops at depth 256 and drops the rest of the page, and caps a
# text node at 10 MB: the bounded parse lifts libxml2's limits and applies the page's own bound.
_HUGE_PARSER = etree.HTMLParser(huge_tree=True)


@functools.lru_cache(maxsize=8)
def _deeper_than(depth: int) -> etree.XPath:
    """True when some element sits below `depth` levels (<html> is level 1)."""
    return etree.XPath("boolean(/*" + "/*" * depth + ")")


def parse_html_bounded(html: str, max_depth: int):
    """`parse_html` with the nesting bounded (Limits.max_html_depth, at most HTML_DEPTH_CEILING):
    BoundExceeded when an element sits deeper than `max_depth`, or when libxml2 stopped reading
    the page at a limit of its own, instead of a tree silently cut short."""
    max_depth = min(max_depth, HTML_DEPTH_CEILING)
    html = _XML_DECLARATION.sub("", html)
    if not html.strip():
        return None
    try:
        root = etree.fromstring(html, _HUGE_PARSER)
    except (etree.ParserError, ValueError):
        return None
    stopped = [
        e for e in _HUGE_PARSER.error_log if e.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in e.message
    ]
    if stopped:
        raise BoundExceeded(
            "max_html_depth", max_depth, f"libxml2 stopped reading the page: {stopped[0].message.strip()}"
        )
    if root is not None and _deeper_than(max_depth)(root):
        raise BoundExceeded("max_html_depth", max_depth, f"elements nested more than {max_depth} deep")
    return root


def _select(root, selectors: str):
    """The first element matching the selector list, trying the selectors in the order given
    (callers list the most specific container first)."""
    plan = _compiled(selectors)
    # one pass over the page's id and class attributes tells which selectors cannot match (an
    # id or class they require appears nowhere), instead of one pass per selector
    values = cast("list[str]", plan.attributes(root)) if plan.attributes is not None else []  # attribute values
    present = {token for token in plan.tokens if any(token in value for value in values)}
    for xpath, needed in plan.selectors:
        if not needed <= present:
            continue
        found = xpath(root)
        if isinstance(found, list) and found:  # an element selector's result is a node list
            return found[0]
    return None


@dataclass
class _SelectorPlan:
    selectors: list[tuple[etree.XPath, frozenset[str]]]  # each selector and the ids/classes it requires
    tokens: frozenset[str]
    attributes: etree.XPath | None  # the id and class values holding any of the tokens


_REQUIRED_ID = re.compile(r"@id = '([^']*)'")
_REQUIRED_CLASS = re.compile(r"contains\(@class, '([^']*)'\)")


@functools.lru_cache(maxsize=64)
def _compiled(selectors: str) -> _SelectorPlan:
    translator = cssselect.HTMLTranslator()
    compiled = []
    for selector in cssselect.parse(selectors):
        xpath = translator.selector_to_xpath(selector)
        needed: frozenset[str] = frozenset()
        if "not(" not in xpath and " or " not in xpath:  # plain conjunctions: each token required
            needed = frozenset(_REQUIRED_ID.findall(xpath) + _REQUIRED_CLASS.findall(xpath))
        compiled.append((etree.XPath(xpath), frozenset(t for t in needed if "'" not in t)))
    tokens = frozenset().union(*(needed for _, needed in compiled))
    condition = " or ".join(f"contains(., '{token}')" for token in sorted(tokens))
    attributes = etree.XPath(f"//@id[{condition}] | //@class[{condition}]") if tokens else None
    return _SelectorPlan(compiled, tokens, attributes)


def find_content(html: str, selectors: str) -> str | None:
    """The inner HTML of the article container (first selector that matches), or None."""
    root = parse_html(html)
    element = _select(root, selectors) if root is not None else None
    if element is None:
        return None
    inner = escape(element.text or "", quote=False)
    return inner + "".join(lxml_html.tostring(child, encoding="unicode") for child in element)


def html_to_text(html: str, *, skip_tables: bool = False, container: str | None = None) -> str:
    """The text a reader sees, one line per block element or table cell, no blank lines.

    Every text node is kept, including those inside inline elements, so 〔2016<span>〕</span>75号
    stays 〔2016〕75号. Scripts, styles, comments and hidden elements are dropped. NFKC is not
    applied. `container`: a CSS selector list of the article body; the whole body is used when
    none matches. `skip_tables`: drop data tables (statistics are read from the grids), but keep
    layout tables, i.e. tables that hold the container or the article's longest text.
    """
    root = parse_html(html)
    return tree_to_text(root, skip_tables=skip_tables, container=container) if root is not None else ""


def tree_to_text(root, *, skip_tables: bool = False, container: str | None = None) -> str:
    """`html_to_text` of a tree from `parse_html`."""
    article = _select(root, container) if container else None
    start = article if article is not None else root
    dropped: set = set()
    if skip_tables:
        keep = set(_ancestors(article)) | set(_ancestors(_longest_text_holder(start)))
        dropped = {t for t in start.iter("table") if t not in keep}
    pieces: list[str] = []
    _walk(start, pieces, dropped, preformatted=False, with_tail=False)
    return _assemble("".join(pieces))


class _EnoughLines(Exception):
    """Raised inside the walk once the lines asked for are read."""


class _LeadingLines:
    """Watches the pieces of a walk: every CHECK_EVERY pieces it assembles the lines completed
    so far and stops the walk (_EnoughLines) once a line (NFKC, stripped) of `long_line`
    characters or more is among them."""

    CHECK_EVERY = 200

    def __init__(self, long_line: int, enough: Callable[[list[str]], bool] | None) -> None:
        self.long_line = long_line
        self.enough = enough
        self.lines: list[str] = []
        self.taken = 0  # pieces assembled so far
        self.rest = ""  # the unfinished line they ended with
        self.next_check = self.CHECK_EVERY

    def check(self, pieces: list[str], final: bool = False) -> None:
        raw = self.rest + "".join(pieces[self.taken :])
        self.taken = len(pieces)
        self.next_check = self.taken + self.CHECK_EVERY
        *complete, self.rest = raw.split("\n")
        if final:
            complete.append(self.rest)
        for line in complete:
            line = _collapse_spaces(line)
            # as nfkc(text).splitlines() of the assembled text: NFKC and line breaks commute
            for part in nfkc(line).splitlines() if line else ():
                if len(part.strip()) >= self.long_line:
                    raise _EnoughLines
                self.lines.append(part)
        if self.enough is not None and self.enough(self.lines):
            raise _EnoughLines


def leading_lines(root, long_line: int, enough: Callable[[list[str]], bool] | None = None) -> list[str]:
    """The lines of `tree_to_text(root)`, NFKC-normalised, before the first line of `long_line`
    characters or more (the page header above the prose), without turning the rest into text.

    `enough(lines)`, when given, may end the reading sooner: once it is true of the lines read so
    far, those are returned (a caller that looks for first matches gets the same answers)."""
    watch = _LeadingLines(long_line, enough)
    pieces: list[str] = []
    try:
        _walk(root, pieces, set(), preformatted=False, with_tail=False, watch=watch)
        watch.check(pieces, final=True)
    except _EnoughLines:
        pass
    return watch.lines


def _ancestors(element) -> list:
    return [] if element is None else [element, *element.iterancestors()]


def _longest_text_holder(root):
    """The element holding the longest visible text node: the article's main prose (the first
    one of that length, an element's tail before its text)."""
    best, best_len = None, 0
    for element in root.iter():
        tail = element.tail
        if tail and element is not root:  # the root's own tail lies outside it
            size = len(tail.strip())
            if size > best_len:
                holder = element.getparent()
                if holder is not None:
                    best, best_len = holder, size
        text = element.text
        if text and isinstance(element.tag, str) and element.tag not in _SKIP:
            size = len(text.strip())
            if size > best_len:
                best, best_len = element, size
    return best


def _text(raw: str | None, preformatted: bool) -> str:
    """Source text as displayed: a whitespace run becomes one space, or the line-break marker
    when the run holds a line break."""
    if not raw:
        return ""
    if preformatted:
        return raw.replace("\r\n", "\n")
    if "\n" in raw or "\r" in raw:
        raw = _BROKEN_SPACE.sub(_NEWLINE_SPACE, raw)
    return _PLAIN_SPACE.sub(" ", raw)


def _walk(element, pieces: list[str], dropped: set, preformatted: bool, with_tail=True, watch=None) -> None:
    # the hot loop of text extraction: _is_hidden and _touching are inlined here
    tag = element.tag
    if tag.__class__ is not str:
        tag = None
    elif tag == "br":
        pieces.append("\n")
    if (
        tag is not None
        and tag not in _SKIP
        and element not in dropped
        and element.get("hidden") is None
        and not ((style := element.get("style")) and _HIDDEN_STYLE.search(style))
    ):
        block = tag in _BLOCK
        preformatted = preformatted or tag == "pre"
        if block:
            pieces.append("\n")
        text = element.text
        if text:
            pieces.append(_text(text, preformatted))
        previous = None
        for child in element:
            # two separated inline elements (links, images …) with no text between them
            if (
                previous is not None
                and not ((ptail := previous.tail) and ptail.strip())
                and (previous.tag in _SEPARATED or child.tag in _SEPARATED)
            ):
                pieces.append(" ")
            _walk(child, pieces, dropped, preformatted, True, watch)
            previous = child
        if block:
            pieces.append("\n")
            if watch is not None and len(pieces) >= watch.next_check:
                watch.check(pieces)
    # the tail is text of the parent: kept even when the element itself is skipped
    if with_tail:
        tail = element.tail
        if tail:
            pieces.append(_text(tail, preformatted))


def _assemble(raw: str) -> str:
    lines = (_collapse_spaces(line) for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def _collapse_spaces(line: str) -> str:
    # runs at either end go whatever they hold
    line = line.strip(" \x00")
    if "\x00" not in line:
        return _SPACES_ONLY.sub(" ", line)

    def resolve(match: re.Match) -> str:
        if " " in match.group():
            return " "
        before = line[match.start() - 1] if match.start() > 0 else ""
        after = line[match.end()] if match.end() < len(line) else ""
        return "" if _is_wide(before) or _is_wide(after) else " "

    return _SPACE_RUN.sub(resolve, line).strip(" ")


def _is_wide(char: str) -> bool:
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")
