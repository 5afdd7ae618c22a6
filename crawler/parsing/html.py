"""Decoding fetched HTML bytes and turning HTML into the text a reader sees.

Pure functions: bytes or str in, plain data out (docs/portals.md §1.5, §3.5).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from html import escape

import cssselect
from lxml import etree
from lxml import html as lxml_html

from crawler.parsing.model import Finding

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
    if header_text is not None:
        # A meta declaration beats a header that cannot fail (Latin-1) and a header that happens
        # to decode UTF-8 bytes (a clean UTF-8 decode of non-ASCII bytes is near-certain proof).
        if meta_text is not None and (header in _NEVER_FAILS or (meta == "utf-8" and not body.isascii())):
            return meta, meta_text
        return header, header_text
    if meta_text is not None:
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
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
# Marker for a source line break inside text: dropped next to a CJK character (a line break
# in the HTML source is not a space in Chinese running text), else a space (10.57%\n13.74%).
_NEWLINE_SPACE = "\x00"
_SPACE_RUN = re.compile(r"[ \x00]+")


def _parse(html: str):
    html = _XML_DECLARATION.sub("", html)
    if not html.strip():
        return None
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _select(root, selectors: str):
    """The first element matching the selector list, trying the selectors in the order given
    (callers list the most specific container first)."""
    translator = cssselect.HTMLTranslator()
    for selector in cssselect.parse(selectors):
        found = root.xpath(translator.selector_to_xpath(selector))
        if found:
            return found[0]
    return None


def find_content(html: str, selectors: str) -> str | None:
    """The inner HTML of the article container (first selector that matches), or None."""
    root = _parse(html)
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
    root = _parse(html)
    if root is None:
        return ""
    article = _select(root, container) if container else None
    start = article if article is not None else root
    dropped: set = set()
    if skip_tables:
        keep = set(_ancestors(article)) | set(_ancestors(_longest_text_holder(start)))
        dropped = {t for t in start.iter("table") if t not in keep}
    pieces: list[str] = []
    _walk(start, pieces, dropped, preformatted=False, with_tail=False)
    return _assemble("".join(pieces))


def _ancestors(element) -> list:
    return [] if element is None else [element, *element.iterancestors()]


def _longest_text_holder(root):
    """The element holding the longest visible text node: the article's main prose."""
    best, best_len = None, 0
    for element in root.iter():
        # the root's own tail lies outside it
        nodes = [(element.tail, element.getparent())] if element is not root else []
        if isinstance(element.tag, str) and element.tag not in _SKIP:
            nodes.append((element.text, element))
        for node_text, holder in nodes:
            size = len(node_text.strip()) if node_text else 0
            if size > best_len and holder is not None:
                best, best_len = holder, size
    return best


def _is_hidden(element) -> bool:
    return element.get("hidden") is not None or bool(_HIDDEN_STYLE.search(element.get("style", "")))


def _text(raw: str | None, preformatted: bool) -> str:
    if not raw:
        return ""
    if preformatted:
        return raw.replace("\r\n", "\n")
    return _HTML_SPACE.sub(lambda m: _NEWLINE_SPACE if "\n" in m.group() or "\r" in m.group() else " ", raw)


def _walk(element, pieces: list[str], dropped: set, preformatted: bool, with_tail=True) -> None:
    tag = element.tag if isinstance(element.tag, str) else None
    if tag == "br":
        pieces.append("\n")
    visible = tag is not None and tag not in _SKIP and element not in dropped
    if visible and not _is_hidden(element):
        block = tag in _BLOCK
        preformatted = preformatted or tag == "pre"
        if block:
            pieces.append("\n")
        pieces.append(_text(element.text, preformatted))
        previous = None
        for child in element:
            if _touching(previous, child):
                pieces.append(" ")
            _walk(child, pieces, dropped, preformatted)
            previous = child
        if block:
            pieces.append("\n")
    # the tail is text of the parent: kept even when the element itself is skipped
    if with_tail:
        pieces.append(_text(element.tail, preformatted))


def _touching(previous, child) -> bool:
    """Two separated inline elements (links, images …) with no text between them."""
    if previous is None or (previous.tail and previous.tail.strip()):
        return False
    tags = {previous.tag, child.tag}
    return bool(tags & _SEPARATED)


def _assemble(raw: str) -> str:
    lines = (_collapse_spaces(line) for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def _collapse_spaces(line: str) -> str:
    def resolve(match: re.Match) -> str:
        if " " in match.group():
            return " "
        before = line[match.start() - 1] if match.start() > 0 else ""
        after = line[match.end()] if match.end() < len(line) else ""
        return "" if _is_wide(before) or _is_wide(after) else " "

    return _SPACE_RUN.sub(resolve, line).strip(" ")


def _is_wide(char: str) -> bool:
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")
