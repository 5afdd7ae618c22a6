"""Statistics from real grids (HTML, PDF, DOCX tables with merged cells resolved), read by
position: rows, 表二 blocks, 表三 applicant columns, the 表四 row (docs/templates.md §2–§4)."""

from __future__ import annotations

from crawler.parsing import templates as tpl
from crawler.parsing.model import Cell, Table
from crawler.parsing.sink import (
    AppsRows,
    LegacyRows,
    Sink,
    art20_without_header,
    emit_art20,
    one_line,
)
from crawler.parsing.templates import match_key
from crawler.parsing.values import looks_numeric


def _origins(row: list[Cell], r: int) -> list[tuple[int, Cell]]:
    """(column, cell) of the cells that start in this row position, merged copies skipped."""
    out: list[tuple[int, Cell]] = []
    for c, cell in enumerate(row):
        if out and out[-1][1] is cell:
            continue
        if out and (cell.row, cell.col) == (out[-1][1].row, out[-1][1].col):
            continue
        out.append((c, cell))
    return out


def _grid_kind(table: Table) -> str | None:
    keys = [match_key(cell.text) for row in table.grid for cell in row if cell.text.strip()]
    if any("本年新收政府信息公开申请数量" in k or "申请人情况" in k for k in keys):
        return "apps"
    if any(k.startswith("第二十条") or k.startswith("信息内容") for k in keys):
        return "art20"
    if any(tpl.art20_column(k) for k in keys) and any(tpl.art20_row_key(row[0].text) for row in table.grid):
        return "art20"  # a 表二 whose header cell is not 信息内容
    if "行政复议" in keys and "行政诉讼" in keys:
        return "review"
    index = tpl.legacy_index()
    if any(index.lookup(cell.text) for row in table.grid for cell in row[:2] if cell.text.strip()):
        return "rows"
    return None


def read_grid(table: Table, where: str, sink: Sink) -> None:
    if not table.grid or not table.grid[0]:
        return
    kind = _grid_kind(table)
    if kind is None:
        return
    sink.keys.extend(cell.text for row in table.grid for cell in row if cell.text.strip())
    {"rows": _grid_rows, "art20": _grid_art20, "apps": _grid_apps, "review": _grid_review}[kind](table, where, sink)


def _loc(where: str, r: int, c: int) -> str:
    return f"{where} row {r + 1} col {c + 1}"


def _grid_rows(table: Table, where: str, sink: Sink) -> None:
    grid = table.grid
    width = len(grid[0])
    header = next(
        (r for r, row in enumerate(grid) if any(tpl.is_legacy_table_start(c.text) for c in row)),
        None,
    )
    value_cols, unit_col = [width - 1], None
    if header is not None:
        stat = [
            c for c, cell in enumerate(grid[header])
            if match_key(cell.text) in ("统计数", "数量", "数值")
        ]  # fmt: skip
        value_cols = stat or value_cols
        unit_col = next(
            (c for c, cell in enumerate(grid[header])
             if match_key(cell.text) in ("单位", "计量单位")),
            None,
        )  # fmt: skip
    elif width >= 3:
        unit_col = width - 2
    caption = table.caption.splitlines()
    first = 0 if header is None else header + 1
    for r in range(header or 0):  # title rows inside the table (市本级) also name the scope
        caption.extend(cell.text for _, cell in _origins(grid[r], r) if cell.text.strip())
    reader = LegacyRows(sink, tpl.scope_of(caption))
    if len(value_cols) > 1 and first < len(grid):
        # local forms split 统计数 into 区政府 / 区直单位 / 乡镇街道: no dimension covers that
        _grid_rows_split(grid, first, value_cols, unit_col, where, reader)
        return
    value_col = value_cols[0]
    label_end = min(c for c in (value_col, unit_col) if c is not None)
    for r in range(first, len(grid)):
        row = grid[r]
        labels = [cell for c, cell in _origins(row[:label_end], r) if cell.text.strip()]
        value_cell = row[value_col]
        if not labels:
            if value_cell.text.strip():
                sink.finding("unlabelled_value", f"{_loc(where, r, value_col)}: value "
                             f"{value_cell.text!r} has no label")  # fmt: skip
            continue
        label = labels[-1]
        if value_cell is label or (value_cell.row, value_cell.col) == (label.row, label.col):
            continue  # a title or note row spanning the value column
        unit_text = row[unit_col].text if unit_col is not None else ""
        reader.row(
            label.text,
            value_cell.text,
            _loc(where, r, value_col),
            unit_cell=unit_text,
            parents=[c.text for c in labels[:-1]],
        )


def _grid_rows_split(
    grid: list[list[Cell]],
    sub_row: int,
    value_cols: list[int],
    unit_col: int | None,
    where: str,
    reader: LegacyRows,
) -> None:
    """A legacy table whose 统计数 spans several columns named in the row below the header.
    A 合计/总计 column is the metric's value; the other columns are kept raw (code None)."""
    subs = {c: grid[sub_row][c].text for c in value_cols}
    label_end = min([*value_cols, unit_col] if unit_col is not None else value_cols)
    for r in range(sub_row + 1, len(grid)):
        row = grid[r]
        labels = [cell for _, cell in _origins(row[:label_end], r) if cell.text.strip()]
        if not labels or any(row[c] is labels[-1] for c in value_cols):
            continue
        label = labels[-1].text
        unit_text = row[unit_col].text if unit_col is not None else ""
        parents = [c.text for c in labels[:-1]]
        total = [c for c in value_cols if match_key(subs[c]) == "总计"]
        if total:
            reader.row(label, row[total[0]].text, _loc(where, r, total[0]), unit_text, parents)
        else:
            reader.code_for(label, parents)  # keeps the section context for the rows below
        for c in value_cols:
            if c not in total:
                reader.sink.value(
                    None, f"{label} > {subs[c]}", row[c].text, _loc(where, r, c),
                    scope=reader.scope, unit_cell=unit_text,
                )  # fmt: skip


def _grid_art20(table: Table, where: str, sink: Sink) -> None:
    sink.kinds.add("art20")
    columns: list[tuple[int, str | None, str]] = []  # (grid column, canonical label, printed)
    for r, row in enumerate(table.grid):
        cells = _origins(row, r)
        first = cells[0][1].text if cells else ""
        if tpl.is_art20_block_caption(first) or not any(c.text.strip() for _, c in cells):
            continue
        if _is_art20_header([cell.text for _, cell in cells]):
            heads = [(c, cell.text) for c, cell in cells[1:] if cell.text.strip()]
            labels = tpl.complete_art20_columns([tpl.art20_column(t) for _, t in heads])
            columns = [(c, k, t) for (c, t), k in zip(heads, labels, strict=True)]
            continue
        label = first
        if not columns:
            values = [(cell.text, _loc(where, r, c)) for c, cell in cells[1:]]
            while values and not values[-1][0].strip():
                values.pop()  # the empty fourth column of blocks (八)/(九)
            art20_without_header(sink, label, values)
            continue
        for c, canonical, printed in columns:
            cell = row[c]
            if (cell.row, cell.col) == (r, 0) or match_key(cell.text) == match_key(label):
                continue  # the label cell spans this column: no value
            if canonical is None:
                sink.finding("unmapped_label", f"{_loc(where, r, c)}: no code for column "
                             f"{printed!r}")  # fmt: skip
                continue
            emit_art20(sink, label, canonical, cell.text, _loc(where, r, c), printed)


def _is_art20_header(texts: list[str]) -> bool:
    """`信息内容 | 本年新制作数量 | …`, or a header row whose first cell says something else."""
    if not texts:
        return False
    if tpl.is_art20_header_start(texts[0]):
        return True
    rest = [t for t in texts[1:] if t.strip()]
    return bool(rest) and not any(looks_numeric(t) for t in rest) and any(tpl.art20_column(t) for t in rest)


def _grid_apps(table: Table, where: str, sink: Sink) -> None:
    grid = table.grid
    first_data, applicants = _apps_header(grid)
    if first_data is None:
        return
    numeric = [c for r in range(first_data, len(grid)) for c, cell in enumerate(grid[r]) if looks_numeric(cell.text)]
    label_end = min([*numeric, *applicants, len(grid[0])])
    if label_end == 0:
        return  # no label column: nothing can be attributed
    columns = _by_position(
        {c: a for c, (a, _) in applicants.items() if c >= label_end},
        range(label_end, len(grid[0])),
        tpl.APPLICANT_ORDER,
        f"{where} 表三",
        sink,
    )
    reader = AppsRows(sink)
    for r in range(first_data, len(grid)):
        row = grid[r]
        labels = [cell for _, cell in _origins(row[:label_end], r) if cell.text.strip()]
        if not labels:
            continue
        label = labels[-1]
        cells, unmapped = [], []
        for c, applicant in columns:
            raw = _value_text(grid, r, c, label, where, sink)
            printed = _header_text(grid, first_data, c)
            if applicant is None:
                unmapped.append((printed, raw, _loc(where, r, c)))
            else:
                cells.append((applicant, printed, raw, _loc(where, r, c)))
        if cells:
            reader.row(label.text, cells, parents=[c.text for c in labels[:-1]])
        for printed, raw, location in unmapped:
            if raw.strip():  # e.g. a 法人或其他组织 subtotal column (not in the official form)
                sink.value(None, f"{label.text.strip()} > {printed}", raw, location)


def _apps_header(grid: list[list[Cell]]) -> tuple[int | None, dict[int, tuple[str, str]]]:
    """(first data row, column → (applicant, printed header)) of a 表三 grid."""
    applicants: dict[int, tuple[str, str]] = {}
    index = tpl.apps_index()
    for r, row in enumerate(grid):
        labels = [cell.text for _, cell in _origins(row, r) if cell.text.strip()]
        if any(index.lookup(t) for t in labels) and not any(tpl.is_apps_header(t) for t in labels):
            return r, applicants
        for c, cell in enumerate(row):
            applicant = tpl.applicant_of(cell.text)
            if applicant is not None:
                applicants[c] = (applicant, cell.text)  # lower header rows are more specific
    return None, applicants


def _by_position(
    known: dict[int, str], data: range, official: tuple[str, ...], what: str, sink: Sink
) -> list[tuple[int, str | None]]:
    """Columns → dimension value or code. Readable headers decide; when exactly the official
    number of columns is there and every readable header sits at its official place, the
    unreadable ones (U16: `总商业 计企业`) take their official place too. Columns whose header
    cannot be placed stay None (kept raw)."""
    in_place = all(official[c - data.start] == v for c, v in known.items())
    if len(data) == len(official) and in_place:
        if len(known) < len(official):
            sink.finding("header_fallback", f"{what}: {len(official) - len(known)} column "
                         "headers unreadable; official column order used", severity="info")  # fmt: skip
        return [(c, official[c - data.start]) for c in data]
    if len(set(known.values())) != len(known):
        sink.finding("header_unreadable", f"{what}: a column header repeats; columns kept raw")
        return [(c, None) for c in data]
    return [(c, known.get(c)) for c in data]


def _value_text(grid: list[list[Cell]], r: int, c: int, label: Cell, where: str, sink: Sink):
    cell = grid[r][c]
    if (cell.row, cell.col) == (label.row, label.col):
        return ""  # a heading spanning the value columns
    if (cell.row, cell.col) != (r, c):
        sink.finding("merged_value", f"{_loc(where, r, c)}: value cell merged with "
                     f"({cell.row + 1}, {cell.col + 1}); not attributed")  # fmt: skip
        return ""
    return cell.text


def _header_text(grid: list[list[Cell]], header_end: int, c: int) -> str:
    """The lowest non-empty header cell of column c, as printed."""
    texts = [grid[r][c].text.strip() for r in range(header_end) if grid[r][c].text.strip()]
    return texts[-1] if texts else f"column {c + 1}"


def _grid_review(table: Table, where: str, sink: Sink) -> None:
    sink.kinds.add("review")
    grid = table.grid
    width = len(grid[0])
    header_end = 1 + max(r for r, row in enumerate(grid) if any(_is_review_header(cell.text) for cell in row))
    # every row under the header is a data row (U3 prints the skeleton blank), except a note
    # row spanning the whole width
    data = [r for r in range(header_end, len(grid)) if len(_origins(grid[r], r)) > 1]
    header_rows = range(header_end)
    known: dict[int, str] = {}
    for c in range(width):
        code = tpl.review_code(_review_path(grid, header_rows, c))
        if code is not None:
            known[c] = code
    columns = _by_position(known, range(width), tpl.review_order(), f"{where} 表四", sink)
    for r in data:
        for c, code in columns:
            label = " > ".join(_review_path(grid, header_rows, c)) or f"表四 column {c + 1}"
            raw = grid[r][c].text
            if code is not None or raw.strip():
                sink.value(code, label, raw, _loc(where, r, c))


def _is_review_header(text: str) -> bool:
    key = match_key(text)
    return (
        bool(key)
        and (key in tpl.REVIEW_HEADER_WORDS or "复议" in key or "诉讼" in key or "起诉" in key)
        and not looks_numeric(text)
    )


def _review_path(grid: list[list[Cell]], rows: range, c: int) -> list[str]:
    path: list[str] = []
    for r in rows:
        text = one_line(grid[r][c].text)
        if text and (not path or path[-1] != text):
            path.append(text)
    return path
