"""Grids from PDF/DOCX rows and from HTML tables (merged cells resolved)."""

from __future__ import annotations

from crawler.parsing.model import Cell
from crawler.parsing.tables import table_from_rows, tables_from_html

# The 2019 表三 header as pdfplumber gives it: None where a merged cell covers the position.
APPLICATION_HEADER_ROWS: list[list[str | None]] = [
    ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", None, None,
     "申请人情况", None, None, None, None, None, None],
    [None, None, None, "自然人", "法人或其他组织", None, None, None, None, "总计"],
    [None, None, None, None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", None],
    ["一、本年新收政府信息公开申请数量", None, None, "1", "2", "3", "4", "5", "6", "21"],
    ["三、本年度办理结果", "(一)予以公开", None, "1", "0", "0", "0", "0", "0", "1"],
    [None, "(三)不予公开", "1.属于国家秘密", "0", "0", "0", "0", "0", "0", "0"],
    [None, None, "2.其他法律行政法规禁止公开", "0", "0", "0", "0", "0", "0", "0"],
]  # fmt: skip


def test_rows_merged_cells_are_repeated_with_their_origin():
    table = table_from_rows(APPLICATION_HEADER_ROWS, origin="pdf", document="r.pdf", caption="表三")
    assert table.origin == "pdf" and table.document == "r.pdf" and table.caption == "表三"
    assert all(len(row) == 10 for row in table.grid)
    note = table.grid[0][0]
    # the note cell covers rows 0-2, columns 0-2
    for r in range(3):
        for c in range(3):
            assert table.grid[r][c] is note
    assert table.grid[0][9].text == "申请人情况" and table.grid[0][9].col == 3
    assert table.grid[2][3] == Cell("自然人", 1, 3)  # rowspan 2
    assert table.grid[1][8] == Cell("法人或其他组织", 1, 4)  # colspan 5
    assert table.grid[2][9] == Cell("总计", 1, 9)
    assert table.grid[3][2] == Cell("一、本年新收政府信息公开申请数量", 3, 0)
    # 三、本年度办理结果 spans rows 4-6 of column 0; (三)不予公开 spans rows 5-6 of column 1
    assert [table.grid[r][0].text for r in (4, 5, 6)] == ["三、本年度办理结果"] * 3
    assert table.grid[6][1] == Cell("(三)不予公开", 5, 1)
    assert table.grid[4][2] == Cell("(一)予以公开", 4, 1)
    assert table.grid[6][2] == Cell("2.其他法律行政法规禁止公开", 6, 2)
    assert table.is_origin(6, 2) and not table.is_origin(6, 1)


def test_rows_empty_strings_are_cells_not_merges_and_short_rows_are_padded():
    table = table_from_rows([["规章", "", "5"], ["行政许可", "3"]], origin="docx")
    assert table.texts() == [["规章", "", "5"], ["行政许可", "3", ""]]
    assert table.grid[1][2] == Cell("", 1, 2)


def test_rows_orphan_none_becomes_an_empty_cell():
    table = table_from_rows([[None, "a"], ["b", "c"]], origin="pdf")
    assert table.grid[0][0] == Cell("", 0, 0)
    assert table.texts() == [["", "a"], ["b", "c"]]


def test_rows_none_under_a_colspan_row_extends_the_rectangle():
    # "x" spans two columns and two rows; "y" is below-right of nothing merged
    table = table_from_rows([["x", None, "1"], [None, None, "2"], ["y", "z", "3"]], origin="pdf")
    x = Cell("x", 0, 0)
    assert table.grid[0][:2] == [x, x] and table.grid[1][:2] == [x, x]
    assert table.grid[2] == [Cell("y", 2, 0), Cell("z", 2, 1), Cell("3", 2, 2)]


def test_rows_empty_input():
    assert table_from_rows([], origin="pdf").grid == []


HTML_PAGE = """
<html><body>
<p>附表</p>
<p>2017年度政府信息公开工作情况统计表</p>
<p>市本级</p>
<table border="1">
  <tr><td>统 计 指 标</td><td>单位</td><td>统计数</td></tr>
  <tr><td>四、行政复议数量</td><td></td><td>2</td></tr>
</table>
<p>本行政区域</p>
<table><tbody>
  <tr><th rowspan="2">a<br/>b</th><th colspan="2">c</th></tr>
  <tr><td>1</td><td><span>2</span></td></tr>
  <tr><td>x</td></tr>
</tbody></table>
</body></html>
"""


def test_html_caption_is_the_text_just_before_each_table():
    first, second = tables_from_html(HTML_PAGE, document="page.html")
    assert first.caption.splitlines() == ["附表", "2017年度政府信息公开工作情况统计表", "市本级"]
    assert first.document == "page.html" and first.origin == "html"
    assert first.texts() == [["统 计 指 标", "单位", "统计数"], ["四、行政复议数量", "", "2"]]
    assert second.caption == "本行政区域"


def test_html_rowspan_colspan_are_resolved_into_a_rectangle():
    second = tables_from_html(HTML_PAGE)[1]
    assert second.texts() == [["a\nb", "c", "c"], ["a\nb", "1", "2"], ["x", "", ""]]
    assert second.grid[1][0] == Cell("a\nb", 0, 0)
    assert second.grid[0][2] == Cell("c", 0, 1)
    assert second.grid[2][1] == Cell("", 2, 1)  # short row padded


def test_html_layout_table_yields_its_innermost_tables():
    page = """
    <table><tr><td>
      <p>第二十条第(一)项</p>
      <table><tr><td>规章</td><td>4</td></tr></table>
    </td><td>
      <table><tr><td>行政许可</td><td>483</td></tr></table>
    </td></tr></table>
    """
    tables = tables_from_html(page)
    assert [t.texts() for t in tables] == [[["规章", "4"]], [["行政许可", "483"]]]
    assert tables[0].caption == "第二十条第(一)项"


def test_html_rowspan_past_the_last_row_is_clipped_and_bad_spans_are_one():
    page = '<table><tr><td rowspan="22">三</td><td colspan="x">a</td></tr></table>'
    (table,) = tables_from_html(page)
    assert table.texts() == [["三", "a"]]


def test_html_without_tables():
    assert tables_from_html("<p>无表格</p>") == []
    assert tables_from_html("") == []
    assert tables_from_html("<!-- 空 -->") == []


def test_html_with_an_xml_declaration():
    page = '<?xml version="1.0" encoding="utf-8"?><html><body><table><tr><td>规章</td></tr></table>'
    assert [t.texts() for t in tables_from_html(page)] == [[["规章"]]]


def test_rows_ambiguous_none_under_a_cell_and_right_of_a_label():
    # 2019 表三: (六)其他处理 (colspan 2) directly under the last (五) item, then 四 (colspan 3)
    rows: list[list[str | None]] = [
        ["三、本年度办理结果", "(五)不予处理", "5.要求行政机关确认或重新出具已获取信息", "0", "1"],
        [None, "(六)其他处理", None, "2", "3"],
        [None, "(七)总计", None, "4", "5"],
        ["四、结转下年度继续办理", None, None, "6", "7"],
    ]
    table = table_from_rows(rows, origin="pdf")
    assert table.grid[1][2] == Cell("(六)其他处理", 1, 1)
    assert table.grid[2][2] == Cell("(七)总计", 2, 1)
    assert table.grid[3][1] == Cell("四、结转下年度继续办理", 3, 0)
    assert table.grid[2][0] == Cell("三、本年度办理结果", 0, 0)  # rowspan 3 only


def test_rows_numbers_never_grow_downwards():
    # a 第二十条 caption row (colspan 4) right under a row of values
    rows: list[list[str | None]] = [
        ["规范性文件", "1405", "242", "185"],
        ["第二十条第(五)项", None, None, None],
        ["行政许可", "415", None, None],
    ]
    table = table_from_rows(rows, origin="pdf")
    assert table.texts() == [
        ["规范性文件", "1405", "242", "185"],
        ["第二十条第(五)项"] * 4,
        ["行政许可", "415", "415", "415"],
    ]


def test_rows_header_rowspan_next_to_a_label_stays_a_rowspan():
    # 表三 header: 总计 (rowspan 2) is to the right of 其他 in the second header row
    rows: list[list[str | None]] = [
        ["自然人", "法人或其他组织", None, "总计"],
        [None, "商业企业", "其他", None],
    ]
    table = table_from_rows(rows, origin="pdf")
    assert table.grid[1][3] == Cell("总计", 0, 3)
    assert table.grid[1][0] == Cell("自然人", 0, 0)
