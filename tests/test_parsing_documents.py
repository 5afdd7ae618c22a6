"""crawler.parsing.documents on the seed PDF and on generated fixtures of known content.

The fixtures are built by tests/fixtures/documents/make_fixtures.py; expected values below are
typed from seed 004 (tests/seeds/004_*.txt) or from the synthetic content written there.
"""

from __future__ import annotations

import shutil
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from crawler.parsing import documents
from crawler.parsing.documents import (
    document_kind,
    extract_doc,
    extract_document,
    extract_docx,
    extract_pdf,
)
from tests.conftest import seed_text
from tests.libreoffice import needs_libreoffice

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def grid_texts(table, *, join_wrapped: bool = False) -> list[list[str]]:
    rows = table.texts()
    if join_wrapped:  # a PDF cell keeps the line breaks of its wrapped text
        rows = [[text.replace("\n", "") for text in row] for row in rows]
    return rows


# ---------------------------------------------------------------------------------------------
# the seed PDF


@pytest.fixture(scope="module")
def seed_pdf():
    return extract_document(fixture("seed_004.pdf"), "application/pdf", "seed_004.pdf")


def test_seed_pdf_headline_sentences_come_out_exactly(seed_pdf):
    assert seed_pdf.extracted is True
    assert seed_pdf.note == ""
    for sentence in (
        "2019年,共受理公民、法人或其他组织申请9件,已按要求第一时间予以答复处理。",
        "2019年度,开发区共收到因政务信息公开提起行政复议7件,均已在规定时限内办结。",
        "因政府信息公开申请提起行政诉讼8起,其中2件为2018年立案,3件尚未审理。",
        "临沂经济技术开发区管理委员会办公室 二〇二〇年一月",
        "开发区门户网站全年发布新闻动态 816条,媒体聚焦 99条,电子报纸 43期,",
        "2019年,共发布解读 127 余条,其中规范性文件解读5条。",
        "2019 年,共主动公开发布信息 4895 条;新浪、腾讯微博 2543 条, 微信 6578 条。",
        "全年共发布重点领域信1030条。",
    ):
        assert sentence in seed_pdf.text


def test_seed_pdf_gives_one_line_per_seed_paragraph(seed_pdf):
    """Hard-wrapped lines are joined back: the text is the seed's non-blank lines, with the
    screenshot's tab-separated columns read as single spaces."""
    expected = [" ".join(line.replace("\t", " ").split()) for line in seed_text("004").splitlines() if line.strip()]
    assert seed_pdf.text.split("\n") == expected


def test_seed_pdf_keeps_stray_screenshot_lines_and_the_page_break(seed_pdf):
    lines = seed_pdf.text.split("\n")
    assert "信息公开 Ì" in lines
    assert "⊕ 🧧 政府公文 2" in lines
    assert "名称 发文机构 发布日期" in lines
    # the seed's page break inside a sentence is kept: lines are not joined across pages
    assert "推动政府信息公开工作取得更好成" in lines[-2]
    assert lines[-1].startswith("绩。一是围绕重点领域,扩大公开范围。")


def test_seed_pdf_has_no_ruled_tables(seed_pdf):
    assert seed_pdf.tables == []
    assert seed_pdf.findings == []


# ---------------------------------------------------------------------------------------------
# tables


def test_pdf_table_with_merged_cells():
    doc = extract_pdf(fixture("table.pdf"), name="table.pdf")
    assert doc.extracted is True
    (table,) = doc.tables
    assert table.origin == "pdf"
    assert table.document == "table.pdf"
    assert table.caption == "合成测试文件,数字为虚构。\n三、收到和处理政府信息公开申请情况"
    note = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
    year_new = "一、本年新收政府信息公开申请数量"
    result = "三、本年度办理结果"
    assert grid_texts(table, join_wrapped=True) == [
        [note, note, "申请人情况", "申请人情况", "申请人情况"],
        [note, note, "自然人", "法人或其他组织", "总计"],
        [year_new, year_new, "11", "2", "13"],
        [result, "(一)予以公开", "5", "", "5"],
        [result, "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "3", "1", "4"],
    ]
    # merged positions repeat the cell of their origin
    assert table.grid[1][1].row == 0 and table.grid[1][1].col == 0
    assert table.grid[0][4].col == 2
    assert table.grid[4][0].row == 3
    assert table.is_origin(3, 3) and table.grid[3][3].text == ""


def test_pdf_table_text_is_not_repeated_in_text():
    doc = extract_pdf(fixture("table.pdf"), name="table.pdf")
    assert doc.text.split("\n") == [
        "合成测试文件,数字为虚构。",
        "三、收到和处理政府信息公开申请情况",
        "表后段落:本年度共受理申请13件。",
    ]


def test_docx_paragraphs_and_table_with_merged_cells():
    doc = extract_docx(fixture("table.docx"), name="table.docx")
    assert doc.extracted is True
    assert doc.text.split("\n") == [
        "合成测试文件,数字为虚构。",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
    ]
    (table,) = doc.tables
    assert table.origin == "docx"
    assert table.document == "table.docx"
    assert table.caption == "合成测试文件,数字为虚构。\n四、政府信息公开行政复议、行政诉讼情况"
    assert grid_texts(table) == [
        ["行政复议", "行政复议", "行政诉讼", "行政诉讼", "行政诉讼"],
        ["结果维持", "总计", "未经复议直接起诉", "未经复议直接起诉", "未经复议直接起诉"],
        ["结果维持", "总计", "结果维持", "结果纠正", "总计"],
        ["1", "2", "3", "", "4"],
    ]
    # vertical merges point at the row above, horizontal ones at the column to the left
    assert (table.grid[2][0].row, table.grid[2][0].col) == (1, 0)
    assert (table.grid[2][1].row, table.grid[2][1].col) == (1, 1)
    assert (table.grid[1][4].row, table.grid[1][4].col) == (1, 2)
    assert table.is_origin(3, 3)


def test_docx_rows_mark_merged_positions_none():
    import docx

    table = docx.Document(BytesIO(fixture("table.docx"))).tables[0]
    assert documents.docx_rows(table) == [
        ["行政复议", None, "行政诉讼", None, None],
        ["结果维持", "总计", "未经复议直接起诉", None, None],
        [None, None, "结果维持", "结果纠正", "总计"],
        ["1", "2", "3", "", "4"],
    ]


# ---------------------------------------------------------------------------------------------
# (cid:N) fallback


def test_cid_text_layer_falls_back_to_pypdf():
    data = fixture("cid.pdf")
    # the primary extractor really gives (cid:N) codes for this file
    pages = documents._pdfplumber_pages(data, "cid.pdf")
    assert "(cid:" in pages[1].paragraphs[0]
    doc = extract_pdf(data, name="cid.pdf")
    assert doc.extracted is True
    assert "(cid:" not in doc.text
    assert "临沂经济技术开发区 2019 年政府信息公开工作年度报告" in doc.text
    assert "行政诉讼8起" in doc.text
    assert doc.tables == []
    assert [f.rule for f in doc.findings] == ["pdf_text_fallback"]


def test_cid_text_layer_with_failing_fallback_is_not_extracted(monkeypatch):
    def broken(data: bytes) -> str:
        raise ValueError("no usable text")

    monkeypatch.setattr(documents, "_pypdf_text", broken)
    doc = extract_pdf(fixture("cid.pdf"), name="cid.pdf")
    assert doc.extracted is False
    assert doc.text == ""
    assert doc.note.startswith("text layer is (cid:N) codes and the pypdf fallback failed")


def test_cid_text_layer_with_garbage_fallback_is_not_extracted(monkeypatch):
    monkeypatch.setattr(documents, "_pypdf_text", lambda data: "\ufffd\ufffd\ufffd\ufffd")
    doc = extract_pdf(fixture("cid.pdf"), name="cid.pdf")
    assert doc.extracted is False
    assert doc.note == "text layer is (cid:N) codes and the pypdf fallback gave no usable text"


def test_cid_share():
    assert documents.cid_share("(cid:12)(cid:13) 年报") == 0.5
    assert documents.cid_share("年度报告") == 0.0


# ---------------------------------------------------------------------------------------------
# documents that cannot be read


def test_corrupt_pdf_is_not_extracted():
    doc = extract_document(fixture("corrupt.pdf"), "application/pdf", "corrupt.pdf")
    assert doc.extracted is False
    assert doc.text == ""
    assert doc.note == "truncated PDF (no %%EOF at the end)"


def test_unparsable_pdf_is_not_extracted():
    doc = extract_pdf(b"%PDF-1.4\nnot really a pdf\n%%EOF\n", name="bad.pdf")
    assert doc.extracted is False
    assert doc.note.startswith("unreadable PDF: ")


def test_image_only_pdf_has_no_text_layer():
    doc = extract_document(fixture("scanned.pdf"), None, "scanned.pdf")
    assert doc.extracted is False
    assert doc.note == "no text layer (scanned?)"


def test_html_served_as_pdf_is_not_extracted():
    doc = extract_document(b"<html><body>login</body></html>", "application/pdf", "report.pdf")
    assert doc.extracted is False
    assert doc.note == "not a PDF (no %PDF- header)"


def test_broken_docx_is_not_extracted():
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("word/document.xml", "<not-xml")
    doc = extract_document(buf.getvalue(), None, "broken.docx")
    assert doc.extracted is False
    assert doc.note.startswith("unreadable DOCX: ")


@pytest.mark.parametrize(
    ("data", "media_type", "name", "note"),
    [
        (b"", "application/pdf", "a.pdf", "empty document"),
        (
            b"GIF89a....",
            "image/gif",
            "chart.gif",
            "unsupported document type (image/gif, chart.gif)",
        ),
        (b"plain", None, "", "unsupported document type (no media type, no name)"),
    ],
)
def test_unsupported_input_is_not_extracted(data, media_type, name, note):
    doc = extract_document(data, media_type, name)
    assert (doc.extracted, doc.text, doc.note) == (False, "", note)


# ---------------------------------------------------------------------------------------------
# dispatch


def test_magic_bytes_win_over_media_type_and_name():
    assert document_kind(fixture("table.pdf"), "application/msword", "x.doc") == "pdf"
    assert document_kind(fixture("table.docx"), "application/pdf", "x.pdf") == "docx"
    assert document_kind(fixture("table.doc"), "application/pdf", "x.pdf") == "doc"
    assert document_kind(b"junk\r\n" + fixture("table.pdf")) == "pdf"


def test_media_type_then_name():
    assert document_kind(b"?", "application/pdf; charset=binary", "download.jsp") == "pdf"
    assert document_kind(b"?", "application/msword", "") == "doc"
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert document_kind(b"?", docx_type, "") == "docx"
    assert document_kind(b"?", "application/octet-stream", "/files/2019年报.PDF") == "pdf"
    assert document_kind(b"?", None, "report.wps?id=3") == "doc"
    assert document_kind(b"?", None, "report.docx") == "docx"
    assert document_kind(b"?", None, "page.htm") is None


def test_a_zip_is_a_docx_or_an_xlsx_by_what_it_holds():
    def zipped(member: str) -> bytes:
        buf = BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr(member, "<x/>")
        return buf.getvalue()

    assert document_kind(zipped("xl/workbook.xml"), None, "report.docx") == "xlsx"  # the bytes decide
    assert document_kind(zipped("word/document.xml"), None, "stats.xlsx") == "docx"
    assert document_kind(zipped("content.xml"), None, "report.odt") is None  # an ODF document


def test_a_workbook_without_cells_is_not_extracted():
    from tests.xlsxbuild import Sheet, workbook

    doc = documents.extract_document(workbook([Sheet("Sheet1", [])]), None, "empty.xlsx")
    assert (doc.extracted, doc.note) == (False, "XLSX has no cells")
    merged = documents.extract_document(workbook([Sheet("表", [["合计", "", "3"]], ["A1:B1"])]), None, "m.xlsx")
    assert [[c.text for c in row] for row in merged.tables[0].grid] == [["合计", "合计", "3"]]


# ---------------------------------------------------------------------------------------------
# legacy .doc


def test_doc_without_converter_is_not_extracted(monkeypatch):
    monkeypatch.setattr(documents.shutil, "which", lambda name: None)
    doc = extract_document(fixture("table.doc"), "application/msword", "table.doc")
    assert doc.extracted is False
    assert doc.text == ""
    assert doc.note == "no .doc converter (install LibreOffice: libreoffice-writer-nogui, or antiword)"


def without_libreoffice(monkeypatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        documents.shutil, "which", lambda name: None if name in ("soffice", "libreoffice") else real_which(name)
    )


def test_doc_through_libreoffice_gives_the_tables_of_its_docx():
    """table.doc is table.docx saved by LibreOffice as MS Word 97: read back through LibreOffice
    and the DOCX reader, its merged-cell grid is the DOCX's, cell for cell."""
    needs_libreoffice()
    doc = extract_doc(fixture("table.doc"), name="table.doc")
    assert (doc.extracted, doc.note) == (True, "converted to DOCX by LibreOffice")
    original = extract_docx(fixture("table.docx"), name="table.docx")
    assert [t.texts() for t in doc.tables] == [t.texts() for t in original.tables]
    assert [[(c.row, c.col) for c in row] for row in doc.tables[0].grid] == [
        [(c.row, c.col) for c in row] for row in original.tables[0].grid
    ]
    assert doc.text == original.text


def test_a_failing_libreoffice_falls_back_to_antiword_and_says_both(monkeypatch, tmp_path):
    if shutil.which("antiword") is None:
        pytest.skip("antiword not installed")
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    script.chmod(0o755)
    real_which = shutil.which
    monkeypatch.setattr(documents.shutil, "which", lambda name: str(script) if name == "soffice" else real_which(name))
    doc = extract_doc(fixture("table.doc"), name="table.doc")
    assert doc.extracted is True
    assert doc.note == (
        "LibreOffice failed (exit 1): Error: source file could not be loaded; "
        "converted to text by antiword (tables as lines of text)"
    )


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword not installed")
def test_doc_with_antiword_where_libreoffice_is_absent(monkeypatch):
    without_libreoffice(monkeypatch)
    doc = extract_doc(fixture("table.doc"), name="table.doc")
    assert doc.extracted is True
    assert doc.note == "converted to text by antiword (tables as lines of text)"
    lines = doc.text.split("\n")
    assert lines[0] == "合成测试文件,数字为虚构。"
    assert lines[1] == "四、政府信息公开行政复议、行政诉讼情况"
    assert lines[-1] == "五、存在的主要问题及改进情况"
    # antiword prints the table as |-separated rows inside the text
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:-1]]
    assert rows == [
        ["行政复议", "行政诉讼"],
        ["结果维持", "总计", "未经复议直接起诉"],
        ["", "", "结果维持", "结果纠正", "总计"],
        ["1", "2", "3", "", "4"],
    ]


@pytest.mark.skipif(shutil.which("catdoc") is None, reason="catdoc not installed")
def test_doc_with_catdoc_when_antiword_and_libreoffice_are_missing(monkeypatch):
    real_which = shutil.which
    missing = ("antiword", "soffice", "libreoffice")
    monkeypatch.setattr(documents.shutil, "which", lambda name: None if name in missing else real_which(name))
    doc = extract_doc(fixture("table.doc"), name="table.doc")
    assert doc.extracted is True
    assert doc.text.startswith("合成测试文件,数字为虚构。\n四、政府信息公开行政复议、行政诉讼情况\n")
    assert "五、存在的主要问题及改进情况" in doc.text


def test_ole2_file_that_is_not_word():
    # an Excel 97-2003 workbook (its directory names a Workbook stream, in UTF-16) says what it is
    data = documents.OLE2_MAGIC + b"\0" * 600 + "Workbook".encode("utf-16-le")
    doc = extract_document(data, "application/vnd.ms-excel", "stats.xls")
    assert doc.extracted is False
    assert doc.note == "Excel 97-2003 workbook (.xls): not read (no reader for its format here)"
    other = extract_document(documents.OLE2_MAGIC + b"\0" * 600 + "PowerPoint Document".encode("utf-16-le"))
    assert (other.extracted, other.note) == (False, "OLE2 file without a WordDocument stream (not a Word document)")


def test_failing_converter_gives_its_message(monkeypatch, tmp_path):
    script = tmp_path / "antiword"
    script.write_text("#!/bin/sh\necho 'is not a Word Document.' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setattr(documents.shutil, "which", lambda name: str(script) if name == "antiword" else None)
    doc = extract_doc(fixture("table.doc"), name="table.doc")
    assert doc.extracted is False
    assert doc.note == "antiword failed (exit 1): is not a Word Document."
