"""Text and tables out of PDF, DOCX and legacy DOC files: bytes in, `ExtractedDocument` out.

Pure functions: no network, no database. Bad input never raises: a document that cannot be read
comes back as `ExtractedDocument(text="", extracted=False, note=<reason>)`.

- PDF (pdfplumber): page by page; ruled tables become `Table`s (origin "pdf") and their text is
  left out of `text`; hard-wrapped lines are joined back into paragraphs (one per line of `text`)
  when the layout shows the break was forced by the right margin. A text layer of `(cid:N)` codes
  falls back to pypdf. No OCR: an image-only PDF is reported, not read.
- DOCX (python-docx): paragraphs and tables in document order; merged cells become None before
  `table_from_rows` (origin "docx").
- DOC / WPS (OLE2): converted to text by antiword, else catdoc, when one is on PATH. Their tables
  stay in the text as the converter prints them (antiword: `|`-separated rows).
"""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from functools import partial
from typing import Any

from crawler.parsing.model import ExtractedDocument, Finding, Table
from crawler.parsing.tables import table_from_rows

# pdfminer logs thousands of DEBUG records per PDF; Scrapy leaves the root logger at NOTSET, so each
# one is built (and dropped by the handler): ~45 ms per small PDF, more than the extraction itself.
logging.getLogger("pdfminer").setLevel(logging.WARNING)

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

PDF_MEDIA_TYPES = {"application/pdf", "application/x-pdf"}
DOCX_MEDIA_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
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
CONVERTER_TIMEOUT = 120  # seconds for antiword / catdoc
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
    if data.startswith(OLE2_MAGIC):
        return "doc"
    media = (media_type or "").split(";")[0].strip().lower()
    if media in PDF_MEDIA_TYPES:
        return "pdf"
    if media in DOCX_MEDIA_TYPES:
        return "docx"
    if media in DOC_MEDIA_TYPES:
        return "doc"
    path = name.split("?")[0].split("#")[0].lower()
    for suffix, kind in ((".pdf", "pdf"), (".docx", "docx"), (".doc", "doc"), (".wps", "doc")):
        if path.endswith(suffix):
            return kind
    return None


def extract_document(data: bytes, media_type: str | None = None, name: str = "") -> ExtractedDocument:
    """Text and tables of a PDF, DOCX or DOC document; unsupported input gives extracted=False."""
    if not data:
        return _failed("empty document")
    kind = document_kind(data, media_type, name)
    if kind == "pdf":
        return extract_pdf(data, name)
    if kind == "docx":
        return extract_docx(data, name)
    if kind == "doc":
        return extract_doc(data, name)
    return _failed(f"unsupported document type ({media_type or 'no media type'}, {name or 'no name'})")


def _failed(note: str) -> ExtractedDocument:
    return ExtractedDocument(text="", extracted=False, note=note)


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


def extract_pdf(data: bytes, name: str = "") -> ExtractedDocument:
    """Text (one paragraph per line) and ruled tables of a PDF, with pdfplumber."""
    if PDF_MAGIC not in data[:1024]:
        return _failed("not a PDF (no %PDF- header)")
    if b"%%EOF" not in data.rstrip(b"\x00\t\n\r\x0c\x1a ")[-1024:]:
        return _failed("truncated PDF (no %%EOF at the end)")
    try:
        pages = _pdfplumber_pages(data, name)
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


def _pdfplumber_pages(data: bytes, name: str) -> list[_Page]:
    import pdfplumber

    pages: list[_Page] = []
    since_table: list[str] = []  # paragraphs since the last table, for captions (across pages)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            found = [t for t in page.find_tables() if _is_grid(t)]
            boxes = [t.bbox for t in found]
            text_page = page.filter(partial(_outside, boxes=boxes)) if boxes else page
            paragraphs = _paragraphs(text_page.extract_text_lines(return_chars=True), page.width)
            items: list[tuple[float, int, dict | Any]] = [(p["top"], 0, p) for p in paragraphs]
            items += [(t.bbox[1], 1, t) for t in found]  # a pdfplumber Table
            items.sort(key=lambda item: (item[0], item[1]))
            tables: list[Table] = []
            for _, _, item in items:
                if isinstance(item, dict):  # a paragraph
                    since_table.append(item["text"])
                else:
                    rows = [[_cell_text(cell) for cell in row] for row in item.extract()]
                    caption = "\n".join(since_table[-CAPTION_PARAGRAPHS:])
                    tables.append(table_from_rows(rows, origin="pdf", document=name, caption=caption))
                    since_table = []
            pages.append(_Page(number, len(page.chars), [p["text"] for p in paragraphs], tables))
    return pages


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


def extract_docx(data: bytes, name: str = "") -> ExtractedDocument:
    """Paragraphs (one per line of `text`) and tables of a DOCX, in document order."""
    try:
        import docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph

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
                rows = docx_rows(DocxTable(element, document))
                caption = "\n".join(since_table[-CAPTION_PARAGRAPHS:])
                tables.append(table_from_rows(rows, origin="docx", document=name, caption=caption))
                since_table = []
    except Exception as exc:  # python-docx / lxml raise many types on broken files
        return _failed(f"unreadable DOCX: {_reason(exc)}")
    if not paragraphs and not tables:
        return _failed("DOCX has no text")
    return ExtractedDocument(text="\n".join(paragraphs), tables=tables)


def _body_blocks(parent: Any) -> Iterator[Any]:
    """w:p and w:tbl elements in document order, looking into content controls (w:sdt)."""
    for child in parent.iterchildren():
        if child.tag in (_W + "p", _W + "tbl"):
            yield child
        elif child.tag == _W + "sdt":
            for content in child.iterchildren(_W + "sdtContent"):
                yield from _body_blocks(content)


def docx_rows(table: Any) -> list[list[str | None]]:
    """A python-docx table as rows of cell texts, with None at every position a merged cell
    covers except its first: python-docx repeats the merged cell over those positions."""
    seen: list[Any] = []  # the <w:tc> elements met so far; held so lxml keeps their identity
    rows: list[list[str | None]] = []
    for row in table.rows:
        out: list[str | None] = []
        for cell in row.cells:
            tc = cell._tc
            if any(tc is s for s in seen):
                out.append(None)
            else:
                seen.append(tc)
                out.append(_cell_text(cell.text))
        rows.append(out)
    return rows


# ---------------------------------------------------------------------------------------------
# DOC (Word 97-2003, WPS)

_WORD_STREAM = "WordDocument".encode("utf-16-le")


def doc_converter() -> list[str] | None:
    """The command line that prints a .doc as UTF-8 text, without wrapping; None if none is installed."""
    antiword = shutil.which("antiword")
    if antiword:
        return [antiword, "-m", "UTF-8.txt", "-w", "0"]
    catdoc = shutil.which("catdoc")
    if catdoc:
        return [catdoc, "-d", "utf-8", "-w"]
    return None


def extract_doc(data: bytes, name: str = "") -> ExtractedDocument:
    """Text of a Word 97-2003 (or WPS) document via antiword or catdoc."""
    if not data.startswith(OLE2_MAGIC):
        return _failed("not a Word 97-2003 document (no OLE2 header)")
    if _WORD_STREAM not in data:
        return _failed("OLE2 file without a WordDocument stream (not a Word document)")
    command = doc_converter()
    if command is None:
        return _failed("no .doc converter (install antiword)")
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
    return ExtractedDocument(text=text)
