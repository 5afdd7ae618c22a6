"""Decoding fetched HTML bytes and turning HTML into the text a reader sees.

Pure functions: bytes or str in, plain data out (portals.md §1 "Encodings", §3 pitfalls).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

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
        if meta_text is not None and (
            header in _NEVER_FAILS or (meta == "utf-8" and not body.isascii())
        ):
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
