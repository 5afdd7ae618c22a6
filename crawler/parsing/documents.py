"""Text and tables out of PDF, DOCX and legacy DOC files: bytes in, `ExtractedDocument` out.

Pure functions: no network, no database. Bad input never raises: a document that cannot be read
comes back as `ExtractedDocument(text="", extracted=False, note=<reason>)`.

- PDF (pdfplumber): page by page; ruled tables become `Table`s (origin "pdf") and their text is
  left out of `text`; a table that the next page continues (its first item, page numbers aside,
  with the same columns at the same place) is one table: header rows repeated there are dropped
  and a row the page break split is put back together; hard-wrapped lines are joined back into
  paragraphs (one per line of `text`) when the layout shows the break was forced by the right
  margin. A text layer of `(cid:N)` codes
  falls back to pypdf. No OCR: an image-only PDF is reported, not read.
- DOCX (python-docx): paragraphs and tables in document order; merged cells become None before
  `table_from_rows` (origin "docx").
- XLSX (read here: a zip of XML): every sheet a table, merged cells as in DOCX (origin "xlsx"),
  the sheets' names and cell texts as `text`. Excel 97-2003 `.xls` is not read (noted as such).
- DOC / WPS (OLE2): converted to DOCX by LibreOffice headless (`soffice --convert-to docx`), then
  read as a DOCX, tables included. Where LibreOffice is absent (or fails on the file): text by
  antiword, else catdoc; their tables stay in the text as the converter prints them (antiword:
  `|`-separated rows, wide tables cut into fragments). The note says which converter was used.
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from decimal import Context, Decimal, InvalidOperation
from functools import partial
from typing import Any

from crawler.parsing.limits import DEFAULT, BoundExceeded, CellBudget, Limits
from crawler.parsing.model import ExtractedDocument, Finding, Table
from crawler.parsing.tables import table_from_rows
from crawler.parsing.values import looks_numeric

# pdfminer logs thousands of DEBUG records per PDF; Scrapy leaves the root logger at NOTSET, so each
# one is built (and dropped by the handler): ~45 ms per small PDF, more than the extraction itself.
logging.getLogger("pdfminer").setLevel(logging.WARNING)

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

PDF_MEDIA_TYPES = {"application/pdf", "application/x-pdf"}
DOCX_MEDIA_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
XLSX_MEDIA_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DOC_MEDIA_TYPES = {
    "application/msword",
    "application/vnd.ms-word",
    "application/kswps",
    "application/wps-office.wps",
    "application/vnd.ms-works",
}

# A text layer where more than this share of the characters are (cid:N) codes is unusable.
CID_SHARE_LIMIT = 0.05
# A fallback text where more than this share of characters are U+FFFD, private-use or control
# characters is unusable too.
GARBAGE_SHARE_LIMIT = 0.05
CAPTION_PARAGRAPHS = 3  # as tables_from_html: title, scope caption and one more line
CONVERTER_TIMEOUT = 120  # seconds for LibreOffice / antiword / catdoc
NOTE_DETAIL = 200  # characters of an exception message kept in a note

_CID = re.compile(r"\(cid:\d+\)")


# ---------------------------------------------------------------------------------------------
# dispatch


def document_kind(data: bytes, media_type: str | None = None, name: str = "") -> str | None:
    """The kind of a document ("pdf", "docx", "doc") from its magic bytes, else its media type,
    else its file name; None when nothing says."""
    head = data[:1024]
    if head.startswith(PDF_MAGIC) or PDF_MAGIC in head:  # some servers prepend junk
        return "pdf"
    if data.startswith(ZIP_MAGIC) and _zip_has(data, "word/document.xml"):
        return "docx"
    if data.startswith(ZIP_MAGIC) and _zip_has(data, "xl/workbook.xml"):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        return "doc"
    media = (media_type or "").split(";")[0].strip().lower()
    if media in PDF_MEDIA_TYPES:
        return "pdf"
    if media in DOCX_MEDIA_TYPES:
        return "docx"
    if media in XLSX_MEDIA_TYPES:
        return "xlsx"
    if media in DOC_MEDIA_TYPES:
        return "doc"
    path = name.split("?")[0].split("#")[0].lower()
    for suffix, kind in ((".pdf", "pdf"), (".docx", "docx"), (".xlsx", "xlsx"), (".doc", "doc"), (".wps", "doc")):
        if path.endswith(suffix):
            return kind
    return None


def extract_document(
    data: bytes, media_type: str | None = None, name: str = "", limits: Limits = DEFAULT
) -> ExtractedDocument:
    """Text and tables of a PDF, DOCX or DOC document; unsupported input gives extracted=False.
    A document past one of `limits` gives extracted=False with the bound named in its note and
    a `bound_exceeded` finding: nothing of it is read halfway."""
    if not data:
        return _failed("empty document")
    kind = document_kind(data, media_type, name)
    if kind == "pdf":
        return extract_pdf(data, name, limits)
    if kind == "docx":
        return extract_docx(data, name, limits)
    if kind == "doc":
        return extract_doc(data, name, limits)
    if kind == "xlsx":
        return extract_xlsx(data, name, limits)
    return _failed(f"unsupported document type ({media_type or 'no media type'}, {name or 'no name'})")


def _failed(note: str) -> ExtractedDocument:
    return ExtractedDocument(text="", extracted=False, note=note)


def past_bound(exc: BoundExceeded, name: str) -> ExtractedDocument:
    """A document past a bound: not extracted, the bound named in its note and in a finding."""
    return ExtractedDocument(
        text="",
        extracted=False,
        note=exc.note,
        findings=[Finding("bound_exceeded", "warning", f"{name}: {exc.note}")],
    )


def _zip_has(data: bytes, member: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _reason(exc: BaseException) -> str:
    message = " ".join(str(exc).split())[:NOTE_DETAIL]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _cell_text(text: str | None) -> str | None:
    """Whitespace folded inside each line of a cell; empty lines dropped (as tables_from_html)."""
    if text is None:
        return None
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# ---------------------------------------------------------------------------------------------
# PDF


def extract_pdf(data: bytes, name: str = "", limits: Limits = DEFAULT) -> ExtractedDocument:
    """Text (one paragraph per line) and ruled tables of a PDF, with pdfplumber. Bounded by
    `limits`: its pages are counted before any is read (max_pdf_pages), the reading stops at
    max_pdf_seconds, and every page's caches are freed once it is read."""
    if PDF_MAGIC not in data[:1024]:
        return _failed("not a PDF (no %PDF- header)")
    if b"%%EOF" not in data.rstrip(b"\x00\t\n\r\x0c\x1a ")[-1024:]:
        return _failed("truncated PDF (no %%EOF at the end)")
    try:
        pages = _pdfplumber_pages(data, name, limits)
    except BoundExceeded as exc:
        return past_bound(exc, name)
    except Exception as exc:  # pdfminer raises many types on broken files
        return _failed(f"unreadable PDF: {_reason(exc)}")
    if not pages:
        return _failed("PDF has no pages")
    if not any(page.chars for page in pages):
        return _failed("no text layer (scanned?)")

    findings: list[Finding] = []
    blank = [str(page.number) for page in pages if not page.chars]
    if blank:
        findings.append(
            Finding(
                "pdf_pages_without_text",
                "warning",
                f"{name}: pages {', '.join(blank)} have no text layer (scanned?)",
            )
        )
    text = "\n".join(p for page in pages for p in page.paragraphs)
    tables = [t for page in pages for t in page.tables]
    cell_text = "".join(c.text for t in tables for row in t.grid for c in row)
    if cid_share(text + cell_text) <= CID_SHARE_LIMIT:
        return ExtractedDocument(text=text, tables=tables, findings=findings)

    try:
        fallback = _pypdf_text(data)
    except Exception as exc:
        return _failed(f"text layer is (cid:N) codes and the pypdf fallback failed: {_reason(exc)}")
    if not fallback.strip() or cid_share(fallback) > CID_SHARE_LIMIT or garbage_share(fallback) > GARBAGE_SHARE_LIMIT:
        return _failed("text layer is (cid:N) codes and the pypdf fallback gave no usable text")
    findings.append(
        Finding(
            "pdf_text_fallback",
            "warning",
            f"{name}: pdfplumber gave (cid:N) codes; text from pypdf, tables not extracted",
        )
    )
    return ExtractedDocument(text=fallback, tables=[], findings=findings)


def cid_share(text: str) -> float:
    """Share of `(cid:N)` codes among the non-space characters (a code counts as one)."""
    codes = len(_CID.findall(text))
    if not codes:
        return 0.0
    others = sum(1 for ch in _CID.sub("", text) if not ch.isspace())
    return codes / (codes + others)


def garbage_share(text: str) -> float:
    """Share of U+FFFD, private-use and control characters among the non-space characters."""
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return 0.0
    bad = sum(1 for ch in chars if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" or ord(ch) < 32)
    return bad / len(chars)


def _pypdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    return "\n".join(text for text in pages if text)


class _Page:
    """What one PDF page gave: its paragraphs and tables, and whether it had any characters."""

    def __init__(self, number: int, chars: int, paragraphs: list[str], tables: list[Table]) -> None:
        self.number = number
        self.chars = chars
        self.paragraphs = paragraphs
        self.tables = tables


def count_pdf_pages(data: bytes, most: int) -> int:
    """The pages of a PDF from its page tree, counting no further than `most` + 1."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    count = 0
    for _ in PDFPage.create_pages(document):
        count += 1
        if count > most:
            break
    return count


class _Clock:
    """The time one PDF may take (Limits.max_pdf_seconds), checked between steps of the reading."""

    def __init__(self, limits: Limits) -> None:
        self.limit = limits.max_pdf_seconds
        self.deadline = time.monotonic() + self.limit

    def check(self, page: int, pages: int) -> None:
        if time.monotonic() > self.deadline:
            raise BoundExceeded("max_pdf_seconds", self.limit, f"reading stopped at page {page} of {pages}")


def _pdfplumber_pages(data: bytes, name: str, limits: Limits = DEFAULT) -> list[_Page]:
    import pdfplumber

    clock = _Clock(limits)
    count = count_pdf_pages(data, limits.max_pdf_pages)
    if count > limits.max_pdf_pages:
        raise BoundExceeded(
            "max_pdf_pages", limits.max_pdf_pages, f"the PDF has more than {limits.max_pdf_pages} pages"
        )
    budget = CellBudget(limits)
    pages: list[_Page] = []
    since_table: list[str] = []  # paragraphs since the last table, for captions (across pages)
    pending: _PendingTable | None = None  # the last table, while a page break may continue it

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            table = table_from_rows(pending.rows, origin="pdf", document=name, caption=pending.caption, budget=budget)
            pages[pending.page].tables.append(table)
            pending = None

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            clock.check(number, count)
            found = [t for t in page.find_tables() if _is_grid(t)]
            clock.check(number, count)
            boxes = [t.bbox for t in found]
            text_page = page.filter(partial(_outside, boxes=boxes)) if boxes else page
            paragraphs = _paragraphs(text_page.extract_text_lines(return_chars=True), page.width)
            items: list[tuple[float, int, dict | Any]] = [(p["top"], 0, p) for p in paragraphs]
            items += [(t.bbox[1], 1, t) for t in found]  # a pdfplumber Table
            items.sort(key=lambda item: (item[0], item[1]))
            pages.append(_Page(number, len(page.chars), [p["text"] for p in paragraphs], []))
            top_of_page = True  # nothing but page numbers met on this page yet
            for _, _, item in items:
                if isinstance(item, dict):  # a paragraph
                    since_table.append(item["text"])
                    if not _PAGE_NUMBER.match(item["text"]):
                        flush()  # text after a table ends it
                        top_of_page = False
                    continue
                rows = [[_cell_text(cell) for cell in row] for row in item.extract()]
                edges = (item.bbox[0], item.bbox[2])
                if pending is not None and top_of_page and pending.continued_by(rows, edges):
                    pending.extend(rows)
                else:
                    flush()
                    caption = "\n".join(since_table[-CAPTION_PARAGRAPHS:])
                    pending = _PendingTable(rows, caption, edges, len(pages) - 1)
                since_table = []
                top_of_page = False
            page.close()  # its layout objects, ~20 MB a page, are not needed again
    flush()
    return pages


# A line that is only a page number (页码): it does not end a table that a page break continues.
_PAGE_NUMBER = re.compile(r"^[\s\-—–－·]*(第\s*\d+\s*页(\s*[,,]?\s*共\s*\d+\s*页)?|\d+(\s*/\s*\d+)?)[\s\-—–－·]*$")
# The label of a new row in a statistics table starts with an item number (一、 (一) 1. ①) or 其中.
_ITEM_START = re.compile(r"^\s*([((]?[一二三四五六七八九十百\d]+[))、.．]|[((][一二三四五六七八九十\d]|[①-⑳]|其中)")


class _PendingTable:
    """A table of a PDF while the next page may continue it: Word and LibreOffice break a long
    table across pages, repeat its header rows there when told to, and split a row whose cell
    has several lines between the two pages."""

    EDGE_TOLERANCE = 3.0  # points between the left and right edges of the two parts

    def __init__(self, rows: list[list[str | None]], caption: str, edges: tuple[float, float], page: int) -> None:
        self.rows, self.caption, self.edges, self.page = rows, caption, edges, page

    def continued_by(self, rows: list[list[str | None]], edges: tuple[float, float]) -> bool:
        """The first table of a page continues this one, the last of the page before, when it has
        the same columns at the same place."""
        same_place = all(abs(a - b) <= self.EDGE_TOLERANCE for a, b in zip(self.edges, edges, strict=True))
        return same_place and bool(rows) and len(rows[0]) == len(self.rows[0])

    def extend(self, rows: list[list[str | None]]) -> None:
        rows = rows[self._repeated_header(rows) :]
        if rows and self._split_row(rows[0]):
            last = self.rows[-1]
            self.rows[-1] = [_glue(a, b) for a, b in zip(last, rows[0], strict=True)]
            rows = rows[1:]
        self.rows.extend(rows)

    def _repeated_header(self, rows: list[list[str | None]]) -> int:
        """How many leading rows repeat the table's own first rows (a header repeated on each page)."""
        n = 0
        while n < len(rows) - 1 and n < len(self.rows) - 1 and _same_row(rows[n], self.rows[n]):
            n += 1
        return n

    def _split_row(self, row: list[str | None]) -> bool:
        """The rest of the previous page's last row: no number in it and a label that starts no
        item, under a last row that has a label."""
        texts = [t for t in row if t]
        last_label = next((t for t in self.rows[-1] if t), "")
        return (
            bool(texts)
            and bool(last_label)
            and not any(looks_numeric(t) for t in texts)
            and not _ITEM_START.match(texts[0])
        )


def _same_row(a: list[str | None], b: list[str | None]) -> bool:
    return len(a) == len(b) and all((x or "").split() == (y or "").split() for x, y in zip(a, b, strict=True))


def _glue(before: str | None, after: str | None) -> str | None:
    """A cell's text split by a page break, put back together (CJK lines join without a space)."""
    if not after:
        return before
    if not before:
        return after
    return before + _joiner(before, after) + after


def _is_grid(table: Any) -> bool:
    """A found table with at least two rows and two columns: a framed text box is not a table."""
    rows = table.rows
    return len(rows) >= 2 and max((len(r.cells) for r in rows), default=0) >= 2


def _outside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    return not _inside(obj, boxes)


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    if obj.get("object_type") != "char":
        return False
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _paragraphs(lines: list[dict], page_width: float) -> list[dict]:
    """Join hard-wrapped lines into paragraphs: {"text", "top"} in reading order.

    A line continues the one above when the line above reaches the text's right edge so that
    the first word of this line could not have fitted there (the break was forced), this line
    starts at the text's left edge (a first-line indent starts a paragraph) and the vertical gap
    is that of ordinary line spacing. Lines are never joined across pages.
    """
    lines = [line for line in lines if line["text"].strip()]
    if not lines:
        return []
    left = min(line["x0"] for line in lines)
    right = max(line["x1"] for line in lines)
    wide = right - left >= page_width / 2
    out: list[dict] = []
    prev: dict | None = None
    for line in lines:
        if prev is not None and wide and _continues(prev, line, left, right):
            out[-1]["text"] += _joiner(out[-1]["text"], line["text"]) + line["text"]
        else:
            out.append({"text": line["text"], "top": line["top"]})
        prev = line
    return out


def _continues(prev: dict, line: dict, left: float, right: float) -> bool:
    chars = [c for c in line["chars"] if c["text"].strip()]
    if not chars:
        return False
    size = statistics.median(c["size"] for c in chars)
    if line["x0"] > left + max(2.0, size / 2):  # indented: a new paragraph
        return False
    height = max(prev["bottom"] - prev["top"], line["bottom"] - line["top"], 1.0)
    if not 0 <= line["top"] - prev["bottom"] <= 1.5 * height:
        return False
    return prev["x1"] + _first_word_width(chars) > right - 2.0


def _first_word_width(chars: list[dict]) -> float:
    """Width of the first unbreakable piece of a line: an ASCII word or number, else one char."""
    end = 0
    if _ascii_word(chars[0]["text"]):
        while (
            end + 1 < len(chars)
            and _ascii_word(chars[end + 1]["text"])
            and chars[end + 1]["x0"] - chars[end]["x1"] < 1.0
        ):
            end += 1
    return chars[end]["x1"] - chars[0]["x0"]


def _ascii_word(ch: str) -> bool:
    return len(ch) == 1 and "!" <= ch <= "~"


def _joiner(before: str, after: str) -> str:
    """A space between two Latin words or numbers wrapped apart, nothing inside CJK text."""
    a, b = before[-1:], after[:1]
    return " " if a.isascii() and a.isalnum() and b.isascii() and b.isalnum() else ""


# ---------------------------------------------------------------------------------------------
# DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract_docx(data: bytes, name: str = "", limits: Limits = DEFAULT) -> ExtractedDocument:
    """Paragraphs (one per line of `text`) and tables of a DOCX, in document order. Bounded by
    `limits`: the zip's members decompressed (max_decompressed_bytes, checked before python-docx
    reads them) and the tables' cells after gridSpan expansion (max_table_cells)."""
    try:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph

        check_zip(data, limits)
        budget = CellBudget(limits)
        document = docx.Document(io.BytesIO(data))
        paragraphs: list[str] = []
        tables: list[Table] = []
        since_table: list[str] = []
        for element in _body_blocks(document.element.body):
            if element.tag == _W + "p":
                text = Paragraph(element, document).text.strip()
                if text:
                    paragraphs.append(text)
                    since_table.append(text)
            else:
                rows = docx_rows(DocxTable(element, document), budget)
                caption = "\n".join(since_table[-CAPTION_PARAGRAPHS:])
                tables.append(table_from_rows(rows, origin="docx", document=name, caption=caption, budget=budget))
                since_table = []
    except BoundExceeded as exc:
        return past_bound(exc, name)
    except Exception as exc:  # python-docx / lxml raise many types on broken files
        return _failed(f"unreadable DOCX: {_reason(exc)}")
    if not paragraphs and not tables:
        return _failed("DOCX has no text")
    return ExtractedDocument(text="\n".join(paragraphs), tables=tables)


_XL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XL_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


def extract_xlsx(data: bytes, name: str = "", limits: Limits = DEFAULT) -> ExtractedDocument:
    """Every sheet of an XLSX workbook as a table (a merged range's covered cells None, as
    table_from_rows wants them), and the sheets' names and rows as text lines. Bounded as DOCX:
    the zip decompressed (max_decompressed_bytes) and the cells (max_table_cells)."""
    from lxml import etree

    try:
        check_zip(data, limits)
        budget = CellBudget(limits)
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            names = set(book.namelist())
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

            def xml(member: str) -> Any:
                return etree.fromstring(book.read(member), parser)

            shared = []
            if "xl/sharedStrings.xml" in names:
                for si in xml("xl/sharedStrings.xml").iter(_XL + "si"):
                    shared.append("".join(t.text or "" for t in si.iter(_XL + "t")))
            targets = {}
            if "xl/_rels/workbook.xml.rels" in names:
                for rel in xml("xl/_rels/workbook.xml.rels"):
                    target = rel.get("Target", "").lstrip("/")
                    targets[rel.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
            lines: list[str] = []
            tables: list[Table] = []
            for sheet in xml("xl/workbook.xml").iter(_XL + "sheet"):
                member = targets.get(sheet.get(_XL_REL) or "")
                if member not in names:
                    continue
                rows = _sheet_rows(xml(member), shared, budget)
                if not rows:
                    continue
                title = sheet.get("name") or ""
                lines.append(title)
                lines += ["  ".join(c for c in row if c) for row in rows if any(row)]
                tables.append(table_from_rows(rows, origin="xlsx", document=name, caption=title, budget=budget))
    except BoundExceeded as exc:
        return past_bound(exc, name)
    except Exception as exc:  # zipfile / lxml raise many types on broken files
        return _failed(f"unreadable XLSX: {_reason(exc)}")
    if not tables:
        return _failed("XLSX has no cells")
    return ExtractedDocument(text="\n".join(line for line in lines if line.strip()), tables=tables)


def _excel_number(stored: str) -> str:
    """A number as Excel shows it: stored as a double (`160.59639999999999`), shown to 15
    significant digits (`160.5964`), which is all the precision Excel itself keeps."""
    try:
        number = Decimal(stored)
    except InvalidOperation:
        return stored
    if not number.is_finite():
        return stored
    return format(Context(prec=15).plus(number).normalize(), "f")


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


def _sheet_rows(sheet: Any, shared: list[str], budget: CellBudget) -> list[list[str | None]]:
    """A worksheet's cells as rows of text ('' for an empty cell, None for a position a merged
    range covers beyond its first cell); numbers as Excel stores them (`4`, `1148226.228`)."""
    cells: dict[tuple[int, int], str] = {}
    for c in sheet.iter(_XL + "c"):
        ref = _CELL_REF.match(c.get("r", ""))
        if not ref:
            continue
        kind, value = c.get("t"), c.find(_XL + "v")
        if kind == "s" and value is not None and (value.text or "").strip().isdigit():
            index = int(value.text)
            text = shared[index] if index < len(shared) else ""
        elif kind == "inlineStr":
            text = "".join(t.text or "" for t in c.iter(_XL + "t"))
        elif kind in (None, "n"):
            text = _excel_number(value.text or "") if value is not None else ""
        else:  # str (a formula's text), b, e
            text = value.text or "" if value is not None else ""
        cells[(int(ref.group(2)) - 1, _column_number(ref.group(1)))] = text.strip()
    covered: set[tuple[int, int]] = set()
    for merge in sheet.iter(_XL + "mergeCell"):
        first, _, last = (merge.get("ref") or "").partition(":")
        a, b = _CELL_REF.match(first), _CELL_REF.match(last)
        if not (a and b):
            continue
        top, left = int(a.group(2)) - 1, _column_number(a.group(1))
        bottom, right = int(b.group(2)) - 1, _column_number(b.group(1))
        budget.spend((bottom - top + 1) * (right - left + 1), "XLSX merged range")
        covered |= {(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)} - {(top, left)}
    filled = [pos for pos, text in cells.items() if text] + [(top, left) for top, left in covered]
    if not filled:
        return []
    height = max(r for r, _ in filled) + 1
    width = max(c for _, c in filled) + 1
    budget.spend(height * width, f"XLSX sheet ({height} rows × {width} columns)")
    return [[None if (r, c) in covered else cells.get((r, c), "") for c in range(width)] for r in range(height)]


def _body_blocks(parent: Any) -> Iterator[Any]:
    """w:p and w:tbl elements in document order, looking into content controls (w:sdt)."""
    for child in parent.iterchildren():
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag == _W + "sdt":
            for content in child.iterchildren(_W + "sdtContent"):
                yield from _body_blocks(content)


def docx_rows(table: Any, budget: CellBudget | None = None) -> list[list[str | None]]:
    """A python-docx table as rows of cell texts, with None at every position a merged cell
    covers except its first: python-docx repeats the merged cell over those positions. The
    positions the cells' gridSpans cover are checked against `budget` before they are expanded."""
    spans = sum(_grid_span(tc) for tr in table._tbl.iterchildren(_W + "tr") for tc in tr.iterchildren(_W + "tc"))
    (budget or CellBudget(DEFAULT)).check(spans, f"a DOCX table of {len(table._tbl.tr_lst)} rows (gridSpan)")
    seen: dict[int, Any] = {}  # id -> the <w:tc> elements met so far; held so lxml keeps their identity
    rows: list[list[str | None]] = []
    for row in table.rows:
        out: list[str | None] = []
        for cell in row.cells:
            tc = cell._tc
            if id(tc) in seen:
                out.append(None)
            else:
                seen[id(tc)] = tc
                out.append(_cell_text(cell.text))
        rows.append(out)
    return rows


def _grid_span(tc: Any) -> int:
    for value in tc.xpath("./w:tcPr/w:gridSpan/@w:val"):
        try:
            return max(1, int(value))
        except ValueError:
            return 1
    return 1


# ---------------------------------------------------------------------------------------------
# zip members (DOCX, XLSX)

_LOCAL_HEADER = 30  # bytes of a zip local file header before its name and extra field
_CHUNK = 1 << 20


def check_zip(data: bytes, limits: Limits = DEFAULT) -> None:
    """BoundExceeded when the zip's members, decompressed, pass Limits.max_decompressed_bytes:
    first by the sizes its central directory declares, then by decompressing every member
    (discarding the output) without trusting those sizes, since headers lie. Nothing is kept:
    the reader that comes next reads a zip known to be within bounds."""
    limit = limits.max_decompressed_bytes
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        declared = sum(m.file_size for m in members)
        if declared > limit:
            raise BoundExceeded(
                "max_decompressed_bytes", limit, f"its zip members declare {declared} bytes decompressed"
            )
        total = 0
        for member in members:
            for size in _decompressed_chunks(data, archive, member):
                total += size
                if total > limit:
                    raise BoundExceeded(
                        "max_decompressed_bytes",
                        limit,
                        f"its zip members decompress to more than {limit} bytes"
                        f" (they declare {declared}; {member.filename} passed the bound)",
                    )


def _decompressed_chunks(data: bytes, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator[int]:
    """Sizes of the decompressed chunks of one member, read from its own data to the end of the
    deflate stream (or of the file), whatever size the headers give."""
    if member.compress_type == zipfile.ZIP_DEFLATED:
        start = member.header_offset
        if data[start : start + 4] != ZIP_MAGIC:
            raise zipfile.BadZipFile(f"bad local header for {member.filename}")
        name_len = int.from_bytes(data[start + 26 : start + 28], "little")
        extra_len = int.from_bytes(data[start + 28 : start + 30], "little")
        position = start + _LOCAL_HEADER + name_len + extra_len
        inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        while not inflate.eof and position < len(data):
            chunk = inflate.decompress(data[position : position + _CHUNK], _CHUNK)
            position += _CHUNK
            yield len(chunk)
            while inflate.unconsumed_tail and not inflate.eof:  # more output from the same input
                chunk = inflate.decompress(inflate.unconsumed_tail, _CHUNK)
                yield len(chunk)
        return
    with archive.open(member) as stream:  # stored (its size is its bytes) or another method
        while chunk := stream.read(_CHUNK):
            yield len(chunk)


# ---------------------------------------------------------------------------------------------
# DOC (Word 97-2003, WPS)

_WORD_STREAM = "WordDocument".encode("utf-16-le")
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))  # BIFF8, BIFF5


def libreoffice() -> str | None:
    """LibreOffice's `soffice` on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def doc_converter() -> list[str] | None:
    """The command line that prints a .doc as UTF-8 text, without wrapping, for machines without
    LibreOffice; None if none is installed."""
    antiword = shutil.which("antiword")
    if antiword:
        return [antiword, "-m", "UTF-8.txt", "-w", "0"]
    catdoc = shutil.which("catdoc")
    if catdoc:
        return [catdoc, "-d", "utf-8", "-w"]
    return None


def extract_doc(data: bytes, name: str = "", limits: Limits = DEFAULT) -> ExtractedDocument:
    """Text and tables of a Word 97-2003 (or WPS) document: converted to DOCX by LibreOffice
    headless, then read by the DOCX reader (merged cells and all); without LibreOffice (or when
    it fails on the file), text only via antiword or catdoc, whose tables are lines of text.
    The document's note says which converter was used."""
    if not data.startswith(OLE2_MAGIC):
        return _failed("not a Word 97-2003 document (no OLE2 header)")
    if _WORD_STREAM not in data:
        if any(stream in data for stream in _WORKBOOK_STREAMS):
            return _failed("Excel 97-2003 workbook (.xls): not read (no reader for its format here)")
        return _failed("OLE2 file without a WordDocument stream (not a Word document)")
    soffice = libreoffice()
    failed = ""
    if soffice:
        converted = convert_with_libreoffice(soffice, data, "doc", "docx")
        if isinstance(converted, bytes):
            doc = extract_docx(converted, name, limits)
            if doc.extracted:
                doc.note = "converted to DOCX by LibreOffice"
                return doc
            if any(f.rule == "bound_exceeded" for f in doc.findings):
                return doc
            failed = f"LibreOffice's DOCX {doc.note}"
        else:
            failed = converted
    command = doc_converter()
    if command is None:
        return _failed(failed or "no .doc converter (install LibreOffice: libreoffice-writer-nogui, or antiword)")
    text_doc = _text_converter(command, data)
    if failed:
        text_doc.note = f"{failed}; {text_doc.note}"
    return text_doc


def _text_converter(command: list[str], data: bytes) -> ExtractedDocument:
    tool = os.path.basename(command[0])
    with tempfile.TemporaryDirectory(prefix="govreports-doc-") as tmp:
        path = os.path.join(tmp, "document.doc")
        with open(path, "wb") as f:
            f.write(data)
        try:
            done = subprocess.run([*command, path], capture_output=True, timeout=CONVERTER_TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            return _failed(f"{tool} failed: {_reason(exc)}")
    if done.returncode != 0:
        message = " ".join(done.stderr.decode("utf-8", "replace").replace(path, "document.doc").split())
        return _failed(f"{tool} failed (exit {done.returncode}): {message[:NOTE_DETAIL]}")
    lines = (line.rstrip() for line in done.stdout.decode("utf-8", "replace").splitlines())
    text = "\n".join(line for line in lines if line.strip())
    if not text:
        return _failed(f"{tool} found no text")
    return ExtractedDocument(text=text, note=f"converted to text by {tool} (tables as lines of text)")


def convert_with_libreoffice(soffice: str, data: bytes, suffix: str, target: str) -> bytes | str:
    """`data` (a .`suffix` file) converted by `soffice --headless --convert-to TARGET`: the
    converted bytes, or why not (a str). Each conversion has its own user profile
    (-env:UserInstallation), so parse workers convert side by side, and CONVERTER_TIMEOUT
    seconds: a conversion that hangs is killed with its process group."""
    with tempfile.TemporaryDirectory(prefix="govreports-lo-") as tmp:
        source = os.path.join(tmp, f"document.{suffix}")
        with open(source, "wb") as f:
            f.write(data)
        out = os.path.join(tmp, "out")
        command = [
            soffice,
            f"-env:UserInstallation=file://{os.path.join(tmp, 'profile')}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            out,
            source,
        ]
        env = {**os.environ, "HOME": tmp}  # nothing written to the real home
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
            )
        except OSError as exc:
            return f"LibreOffice failed: {_reason(exc)}"
        try:
            _, stderr = process.communicate(timeout=CONVERTER_TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            return f"LibreOffice took longer than {CONVERTER_TIMEOUT} s: killed"
        finally:
            _kill_group(process)  # soffice.bin children left behind, if any
        produced = os.path.join(out, "document." + target.split(":")[0])
        if process.returncode != 0 or not os.path.exists(produced):
            message = " ".join(stderr.decode("utf-8", "replace").replace(tmp, "").split())
            return f"LibreOffice failed (exit {process.returncode}): {message[:NOTE_DETAIL] or 'no output'}"
        with open(produced, "rb") as f:
            return f.read()


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
