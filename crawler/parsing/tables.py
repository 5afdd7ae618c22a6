"""Tables from HTML, PDF and DOCX into one rectangular grid type (`Table`).

A merged cell is repeated over every position it covers, with `Cell.row`/`Cell.col` naming the
merged cell's origin, so a reader can address any position and still tell a copy from the original.
"""

from __future__ import annotations

import re
from typing import cast

from lxml import etree

from crawler.parsing.html import parse_html
from crawler.parsing.limits import DEFAULT, CellBudget
from crawler.parsing.model import Cell, Table
from crawler.parsing.values import looks_numeric

# ---------------------------------------------------------------------------------------------
# PDF / DOCX rows


def table_from_rows(
    rows: list[list[str | None]],
    origin: str,
    document: str = "",
    caption: str = "",
    budget: CellBudget | None = None,
) -> Table:
    """A grid from extracted rows where None marks a position covered by a merged cell.

    pdfplumber gives None for every position a merged cell covers except its top-left one (the
    documents code turns python-docx's repeated merged cells into the same shape). Each text cell
    is grown into the largest rectangle of unclaimed None positions to its right, then below:
    rows are processed top to bottom, so a None under a rowspan is already claimed by the cell
    above before a cell to its left can take it. Where the None pattern is ambiguous, two
    readings are preferred: only labels grow downwards (never numbers or empty cells), and a
    None right of a label in a row of numbers is the label's colspan (表三: `(六)其他处理`
    colspan 2 under the last `(五)` item). A None that no cell can claim (e.g. at the very start
    of a row) becomes an empty cell of its own. Short rows are padded with empty cells.

    `budget`: the document's table cells (Limits.max_table_cells); BoundExceeded before the grid
    is allocated when this one would pass it.
    """
    width = max((len(r) for r in rows), default=0)
    (budget or CellBudget(DEFAULT)).spend(len(rows) * width, f"a {origin} table of {len(rows)} rows × {width} columns")
    # padding is a real (empty) cell, not a merged position
    padded: list[list[str | None]] = [list(r) + [""] * (width - len(r)) for r in rows]
    grid: list[list[Cell | None]] = [[None] * width for _ in padded]

    for r, row in enumerate(padded):
        for c, text in enumerate(row):
            if grid[r][c] is not None:
                continue  # claimed by a merged cell above or to the left
            if text is None:
                grid[r][c] = Cell("", r, c)  # orphan merged position: nothing to repeat
                continue
            w = 1
            while c + w < width and padded[r][c + w] is None and grid[r][c + w] is None:
                w += 1
            h = 1
            # numbers and empty cells are not merged downwards in these forms: a None under one
            # belongs to a label's colspan (a 第二十条 caption row under a row of values)
            grows_down = bool(text.strip()) and not looks_numeric(text)
            while (
                grows_down
                and r + h < len(padded)
                and all(
                    padded[r + h][c + k] is None
                    and grid[r + h][c + k] is None
                    and not _continues_label(padded[r + h], c + k)
                    for k in range(w)
                )
            ):
                h += 1
            cell = Cell(text, r, c)
            for dr in range(h):
                for dc in range(w):
                    grid[r + dr][c + dc] = cell
    return Table(
        grid=[[cell for cell in row if cell is not None] for row in grid],
        caption=caption,
        origin=origin,
        document=document,
    )


def _continues_label(row: list[str | None], c: int) -> bool:
    """A None at `c` that follows a label (only Nones between) in a row that carries numbers."""
    k = c - 1
    while k >= 0 and row[k] is None:
        k -= 1
    if k < 0 or not (row[k] or "").strip() or looks_numeric(row[k] or ""):
        return False
    return any(looks_numeric(x) for x in row[c + 1 :] if x)


# ---------------------------------------------------------------------------------------------
# HTML

_BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table",
    "section", "article", "header", "footer", "center", "blockquote", "pre", "dd", "dt", "dl",
    "caption", "form", "hr", "tbody", "thead", "tfoot",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title"}
_CAPTION_LINES = 3  # title, scope caption and one more line are enough to name a table


def tables_from_html(html: str, document: str = "") -> list[Table]:
    """Every data table of an HTML page as a grid, in document order.

    Layout tables that contain other tables are not returned themselves: their innermost tables
    are. `caption` holds up to three non-empty text lines just before the table (after the previous
    table), e.g. the title and the scope caption 市本级 / 本行政区域.
    """
    root = parse_html(html) if html else None
    return tables_from_tree(root, document) if root is not None else []


def tables_from_tree(root: etree._Element, document: str = "", budget: CellBudget | None = None) -> list[Table]:
    """`tables_from_html` of a tree from crawler.parsing.html.parse_html. `budget`: the page's
    table cells after rowspan/colspan expansion (Limits.max_table_cells): BoundExceeded before a
    table that would pass it is expanded."""
    budget = budget or CellBudget(DEFAULT)
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    tables: list[Table] = []
    for number, (element, caption_lines) in enumerate(walker.found, start=1):
        grid = _grid_from_table(element, budget, number)
        if grid:
            tables.append(Table(grid=grid, caption="\n".join(caption_lines), origin="html", document=document))
    return tables


class _Walker:
    """Walks the page in document order, collecting text lines and data tables."""

    def __init__(self) -> None:
        self.lines: list[str] = []  # text lines since the last data table
        self.current: list[str] = []
        self.found: list[tuple[etree._Element, list[str]]] = []

    def flush(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def walk(self, el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag:  # comments, processing instructions
            self._tail(el)
            return
        if tag in _SKIP_TAGS:
            self._tail(el)
            return
        if tag == "table" and next(el.iterdescendants("table"), None) is None:
            self.flush()
            self.found.append((el, self.lines[-_CAPTION_LINES:]))
            self.lines = []
            self._tail(el)
            return
        if tag in _BLOCK_TAGS or tag in ("td", "th"):
            self.flush()
        if el.text:
            self.current.append(el.text)
        for child in el:
            self.walk(child)
        if tag in _BLOCK_TAGS or tag in ("td", "th"):
            self.flush()
        self._tail(el)

    def _tail(self, el: etree._Element) -> None:
        if el.tail:
            self.current.append(el.tail)


# compiled once: `element.xpath(…)` compiles its expression on every call
_OWN_ROWS = etree.XPath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
_OWN_CELLS = etree.XPath("./td | ./th")


def _own_rows(table: etree._Element) -> list[etree._Element]:
    return cast("list[etree._Element]", _OWN_ROWS(table))  # elements only


def _cell_text(cell: etree._Element) -> str:
    """A cell's text with <br> and block children as line breaks, each line space-folded."""
    parts: list[str] = []
    text = cell.text
    if text:
        parts.append(text)
    for child in cell:
        _visit_cell(child, parts)
    return _folded("".join(parts))


# what str.splitlines() breaks lines at
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _folded(text: str) -> str:
    """Each line space-folded, empty lines dropped."""
    text = text.strip()  # line breaks before and after the text make only empty lines
    if not _LINE_BREAK.search(text):  # most cells: one line
        return " ".join(text.split())
    lines = text.splitlines()
    folded = (" ".join(line.split()) for line in lines)
    return "\n".join(line for line in folded if line)


def _visit_cell(el: etree._Element, parts: list[str]) -> None:
    tag = el.tag
    tag = tag.lower() if tag.__class__ is str else ""
    if tag in _SKIP_TAGS:
        tail = el.tail
        if tail:
            parts.append(tail)
        return
    block = tag in _BLOCK_TAGS
    if block:
        parts.append("\n")
    if tag:
        text = el.text
        if text:
            parts.append(text)
    for child in el:
        _visit_cell(child, parts)
    if block:
        parts.append("\n")
    tail = el.tail
    if tail:
        parts.append(tail)


def _span(cell: etree._Element, name: str) -> int:
    value = cell.get(name)
    if value is None:
        return 1
    try:
        return max(1, min(int(value.strip() or "1"), 1000))
    except ValueError:
        return 1


def _grid_from_table(table: etree._Element, budget: CellBudget, number: int = 1) -> list[list[Cell]]:
    """Resolve rowspan/colspan into a rectangular grid; gaps left by short rows are empty cells.
    The positions the spans cover, then the whole rectangle, are counted against `budget` before
    they are allocated."""
    placed: dict[tuple[int, int], Cell] = {}
    rows = _own_rows(table)
    n_rows = len(rows)
    cells = [cast("list[etree._Element]", _OWN_CELLS(tr)) for tr in rows]  # elements only
    spans = [  # (rowspan, colspan) of each cell; a rowspan past the last row is clipped
        [(min(_span(td, "rowspan"), n_rows - r), _span(td, "colspan")) for td in row] for r, row in enumerate(cells)
    ]
    covered = sum(rowspan * colspan for row in spans for rowspan, colspan in row)
    budget.spend(covered, f"HTML table {number} ({n_rows} rows, rowspan/colspan)")
    for r, row in enumerate(cells):
        c = 0
        for td, (rowspan, colspan) in zip(row, spans[r], strict=True):
            while (r, c) in placed:
                c += 1
            cell = Cell(_cell_text(td), r, c)
            for dr in range(rowspan):
                for dc in range(colspan):
                    placed.setdefault((r + dr, c + dc), cell)
            c += colspan
    if not placed:
        return []
    width = max(col for _, col in placed) + 1
    if n_rows * width > covered:  # the empty cells that square the grid off
        budget.spend(n_rows * width - covered, f"HTML table {number} ({n_rows} rows × {width} columns)")
    return [[placed.get((r, c)) or Cell("", r, c) for c in range(width)] for r in range(n_rows)]
