"""Statistics tables → MetricValue rows keyed by metrics.csv codes (issue "Statistics normalisation").

`read_statistics(text, tables)` reads real grids (HTML/PDF/DOCX) and tables flattened into the
document text (one cell per line, or `|`-separated cells). Four kinds of table are read:
  rows    legacy 统计表 (and bodies' own label/unit/value tables): label → one value
  art20   表二 (第二十条): blocks of row label × column header
  apps    表三: row label × applicant column
  review  表四: one row of 15 numbers under a three-row header
Grids are read by position; flattened text by anchoring on known labels and the expected number
of values per row (templates.md §6.1). The 勾稽 rules are not checked here (rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.parsing import templates as tpl
from crawler.parsing.model import Cell, Finding, MetricValue, Table
from crawler.parsing.templates import match_key
from crawler.parsing.values import is_unit_word, looks_numeric, parse_value


@dataclass
class Statistics:
    template: str | None  # legacy, gov2019, gov2021, other; None when no statistics table
    metrics: list[MetricValue]
    findings: list[Finding]


def read_statistics(text: str, tables: list[Table]) -> Statistics:
    """Every statistics table of a document as metric rows, with findings.

    `tables` are real grids; `text` is the document's plain text with those tables removed,
    in which flattened tables may remain.
    """
    sink = _Sink()
    for number, table in enumerate(tables, start=1):
        _read_grid(table, f"table {number}", sink)
    _read_text(text or "", sink)
    template = tpl.detect_template(sink.keys, sink.kinds)
    return Statistics(template=template, metrics=sink.metrics, findings=sink.findings)


# ---------------------------------------------------------------------------------------------
# the sink: one place that turns (code, raw value) into MetricValue rows and findings


@dataclass
class _Sink:
    metrics: list[MetricValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # label keys seen, for template detection
    kinds: set[str] = field(default_factory=set)
    _seen: dict[tuple[str | None, str | None, str | None], str] = field(default_factory=dict)

    def finding(self, rule: str, detail: str, code: str | None = None, severity: str = "warning"):
        self.findings.append(Finding(rule=rule, severity=severity, detail=detail, code=code))

    def value(
        self,
        code: str | None,
        raw_label: str,
        raw_value: str,
        location: str,
        *,
        scope: str | None = None,
        applicant: str | None = None,
        unit_cell: str = "",
        unattributed: bool = False,
    ) -> None:
        """Emit one value. `code` None keeps the row raw with an unmapped_label finding.
        `unattributed`: the row's values could not be placed (a value_count finding says why),
        so the value is None without a finding of its own."""
        raw_label = raw_label.strip()  # as printed, line breaks included
        if tpl.is_heading(code):
            if raw_value.strip() and not tpl.is_pure_note(raw_value):
                self.finding(
                    "heading_value",
                    f"{location}: heading {raw_label!r} carries {raw_value!r}; not stored",
                    code,
                    "info",
                )
            return
        definition = tpl.metric(code) if code else None
        unit = definition.unit if definition else None
        if definition is not None:
            scope = scope if "scope" in definition.dimensions else None
            applicant = applicant if "applicant" in definition.dimensions else None
        cell, unit = self._unit_column(code, raw_label, raw_value, unit, unit_cell, location)
        parsed = parse_value("" if unattributed else cell, unit)
        key = (code, scope, applicant)
        if code is not None and key in self._seen:
            self.finding(
                "duplicate_metric",
                f"{location}: second value {raw_value!r} for {code} "
                f"(scope={scope}, applicant={applicant}) dropped; first at {self._seen[key]}",
                code,
            )
            return
        if code is not None:
            self._seen[key] = location
        self.metrics.append(
            MetricValue(
                code=code,
                value=parsed.value,
                unit=parsed.unit,
                raw_label=raw_label,
                raw_value=raw_value,
                scope=scope,
                applicant=applicant,
                source="table",
                location=location,
            )
        )
        if code is None:
            self.finding("unmapped_label", f"{location}: no code for label {raw_label!r}")
        if parsed.problem and not unattributed:
            self.finding(
                parsed.rule or "unreadable_value",
                f"{location} {_one_line(raw_label)!r}: {parsed.problem}",
                code,
            )
        elif code == "art20.procurement.amount" and not _has_unit_suffix(cell):
            self.finding(
                "ambiguous_unit",
                f"{location}: 采购总金额 {raw_value!r} prints no unit; read as 万元",
                code,
                "info",
            )

    def _unit_column(
        self,
        code: str | None,
        raw_label: str,
        raw_value: str,
        unit: str | None,
        unit_cell: str,
        location: str,
    ) -> tuple[str, str | None]:
        """(cell text to parse, unit) after the 单位 column: 元 there converts a bare number to
        the metric's 万元; another count unit is only reported (the dictionary's unit holds)."""
        if not (unit_cell.strip() and is_unit_word(unit_cell)) or _has_unit_suffix(raw_value):
            return raw_value, unit
        printed = match_key(unit_cell)
        if _money(printed) and (unit is None or _money(unit)):
            return raw_value.strip() + printed, unit
        if unit is None:
            return raw_value, printed
        if printed != unit:
            self.finding(
                "unit_column",
                f"{location}: unit column says {printed!r} for {_one_line(raw_label)!r}; "
                f"metrics.csv unit {unit} kept",
                code,
                "info",
            )
        return raw_value, unit


def _money(unit: str) -> bool:
    return match_key(unit) in ("元", "万元")


def _has_unit_suffix(raw: str) -> bool:
    key = match_key(raw)
    return bool(key) and not key[-1].isdigit() and looks_numeric(raw)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------
# row readers shared by grids and flattened text


class _LegacyRows:
    """Rows of a legacy 统计表 or a body's own label/unit/value table."""

    def __init__(self, sink: _Sink, scope: str | None) -> None:
        self.sink = sink
        self.scope = scope
        self.group: str | None = None  # section (一…十三) of the rows below
        sink.kinds.add("rows")

    def code_for(self, label: str, parents: list[str] = ()) -> tuple[str | None, bool]:
        """(code, known): known is False for a label no code knows."""
        index = tpl.legacy_index()
        match = index.lookup(label)
        group = self.group
        for parent in parents:  # a parent printed in its own column names the group
            parent_code = index.resolve(index.lookup(parent), self.group)
            if parent_code is not None:
                group = tpl.legacy_group(parent_code)
        code = index.resolve(match, group)
        if code is not None and code in tpl.legacy_top_level():
            self.group = tpl.legacy_group(code)
        return code, match is not None

    def row(
        self,
        label: str,
        raw_value: str,
        location: str,
        unit_cell: str = "",
        parents: list[str] = (),
        unattributed: bool = False,
    ) -> None:
        self.sink.keys.append(label)
        code, known = self.code_for(label, list(parents))
        if known and code is None:
            self.sink.finding(
                "ambiguous_label",
                f"{location}: label {_one_line(label)!r} recurs under several parents and its "
                "parent is unknown; kept unmapped",
            )
        self.sink.value(
            code, label, raw_value, location,
            scope=self.scope, unit_cell=unit_cell, unattributed=unattributed,
        )  # fmt: skip


class _AppsRows:
    """Rows of 表三: a label path and one value per applicant column."""

    def __init__(self, sink: _Sink) -> None:
        self.sink = sink
        self.context: str | None = None
        sink.kinds.add("apps")

    def code_for(self, label: str, parents: list[str] = ()) -> tuple[str | None, bool]:
        index = tpl.apps_index()
        context = self.context
        for parent in parents:
            parent_code = index.resolve(index.lookup(parent), None)
            if parent_code is not None:
                context = tpl.apps_context(parent_code)
        match = index.lookup(label)
        code = index.resolve(match, context)
        return code, match is not None

    def open_group(self, code: str | None) -> None:
        if code in tpl.APPS_GROUPS:
            self.context = tpl.apps_context(code)

    def row(
        self,
        label: str,
        cells: list[tuple[str, str, str, str]],  # (applicant, column label, raw value, location)
        parents: list[str] = (),
        unattributed: bool = False,
    ) -> None:
        self.sink.keys.append(label)
        code, known = self.code_for(label, list(parents))
        blank = all(not raw.strip() for _, _, raw, _ in cells)
        if code in tpl.APPS_GROUPS and blank and not unattributed:
            self.open_group(code)  # a group label with no printed subtotal
            return
        self.open_group(code)
        if known and code is None:
            self.sink.finding(
                "ambiguous_label", f"{cells[0][3]}: label {_one_line(label)!r} is ambiguous"
            )
        for applicant, column, raw, location in cells:
            self.sink.value(
                code, f"{label.strip()} > {column.strip()}", raw, location,
                applicant=applicant, unattributed=unattributed,
            )  # fmt: skip


def _emit_art20(
    sink: _Sink,
    row_label: str,
    column: str,
    raw: str,
    location: str,
    printed: str = "",
    unattributed: bool = False,
) -> None:
    """One 表二 value; `column` is the canonical column label, `printed` the header as printed."""
    row_key = tpl.art20_row_key(row_label)
    code = tpl.art20_code(row_key, column) if row_key else None
    label = f"{row_label} > {printed or column}"
    sink.value(code, label, raw, location, unattributed=unattributed)


# ---------------------------------------------------------------------------------------------
# grids


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
    if any(tpl.art20_column(k) for k in keys) and any(
        tpl.art20_row_key(row[0].text) for row in table.grid
    ):
        return "art20"  # a 表二 whose header cell is not 信息内容
    if "行政复议" in keys and "行政诉讼" in keys:
        return "review"
    index = tpl.legacy_index()
    if any(index.lookup(cell.text) for row in table.grid for cell in row[:2] if cell.text.strip()):
        return "rows"
    return None


def _read_grid(table: Table, where: str, sink: _Sink) -> None:
    if not table.grid or not table.grid[0]:
        return
    kind = _grid_kind(table)
    if kind is None:
        return
    sink.keys.extend(cell.text for row in table.grid for cell in row if cell.text.strip())
    {"rows": _grid_rows, "art20": _grid_art20, "apps": _grid_apps, "review": _grid_review}[kind](
        table, where, sink
    )


def _loc(where: str, r: int, c: int) -> str:
    return f"{where} row {r + 1} col {c + 1}"


def _grid_rows(table: Table, where: str, sink: _Sink) -> None:
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
    reader = _LegacyRows(sink, tpl.scope_of(caption))
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
    reader: _LegacyRows,
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


def _grid_art20(table: Table, where: str, sink: _Sink) -> None:
    sink.kinds.add("art20")
    columns: list[tuple[int, str | None, str]] = []  # (grid column, canonical label, printed)
    for r, row in enumerate(table.grid):
        cells = _origins(row, r)
        first = cells[0][1].text if cells else ""
        if tpl.is_art20_block_caption(first) or not any(c.text.strip() for _, c in cells):
            continue
        if _is_art20_header([cell.text for _, cell in cells]):
            heads = [(c, cell.text) for c, cell in cells[1:] if cell.text.strip()]
            canonical = tpl.complete_art20_columns([tpl.art20_column(t) for _, t in heads])
            columns = [(c, k, t) for (c, t), k in zip(heads, canonical, strict=True)]
            continue
        label = first
        if not columns:
            values = [(cell.text, _loc(where, r, c)) for c, cell in cells[1:]]
            while values and not values[-1][0].strip():
                values.pop()  # the empty fourth column of blocks (八)/(九)
            _art20_without_header(sink, label, values)
            continue
        for c, canonical, printed in columns:
            cell = row[c]
            if (cell.row, cell.col) == (r, 0) or match_key(cell.text) == match_key(label):
                continue  # the label cell spans this column: no value
            if canonical is None:
                sink.finding("unmapped_label", f"{_loc(where, r, c)}: no code for column "
                             f"{printed!r}")  # fmt: skip
                continue
            _emit_art20(sink, label, canonical, cell.text, _loc(where, r, c), printed)


def _is_art20_header(texts: list[str]) -> bool:
    """`信息内容 | 本年新制作数量 | …`, or a header row whose first cell says something else."""
    if not texts:
        return False
    if tpl.is_art20_header_start(texts[0]):
        return True
    rest = [t for t in texts[1:] if t.strip()]
    return (
        bool(rest)
        and not any(looks_numeric(t) for t in rest)
        and any(tpl.art20_column(t) for t in rest)
    )


def _art20_without_header(sink: _Sink, label: str, values: list[tuple[str, str]]) -> None:
    """A 表二 row before any 信息内容 header: columns only when the value count decides them."""
    row_key = tpl.art20_row_key(label)
    columns = tpl.art20_columns_by_count(row_key, len(values)) if row_key else None
    if columns is None:
        where = values[0][1] if values else "表二"
        sink.finding("unmapped_label", f"{where}: 表二 row {label!r} without a column header")
        for raw, location in values:
            sink.value(None, label, raw, location)
        return
    for column, (raw, location) in zip(columns, values, strict=True):
        _emit_art20(sink, label, column, raw, location)


def _grid_apps(table: Table, where: str, sink: _Sink) -> None:
    grid = table.grid
    first_data, applicants = _apps_header(grid)
    if first_data is None:
        return
    numeric = [
        c
        for r in range(first_data, len(grid))
        for c, cell in enumerate(grid[r])
        if looks_numeric(cell.text)
    ]
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
    reader = _AppsRows(sink)
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
    known: dict[int, str], data: range, official: tuple[str, ...], what: str, sink: _Sink
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


def _value_text(grid: list[list[Cell]], r: int, c: int, label: Cell, where: str, sink: _Sink):
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


def _grid_review(table: Table, where: str, sink: _Sink) -> None:
    sink.kinds.add("review")
    grid = table.grid
    width = len(grid[0])
    header_end = 1 + max(
        r for r, row in enumerate(grid) if any(_is_review_header(cell.text) for cell in row)
    )
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
        text = _one_line(grid[r][c].text)
        if text and (not path or path[-1] != text):
            path.append(text)
    return path


# ---------------------------------------------------------------------------------------------
# flattened text


@dataclass(frozen=True)
class _Token:
    text: str  # the cell as printed, stripped
    line: int  # 1-based line number in the document text
    kind: str  # blank, value, unit, text, prose

    @property
    def key(self) -> str:
        return match_key(self.text)


_MAX_LABEL = 80  # longer cells are prose, never labels


def _tokens(text: str) -> list[_Token]:
    """One token per cell: a line, or each `|`-separated piece of a line. Empty lines separate
    cells and are dropped; whitespace-only lines and pieces are blank cells."""
    out: list[_Token] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line == "":
            continue
        pieces = [line]
        if "|" in line:
            pieces = line.split("|")
            if not pieces[0].strip() and line.lstrip().startswith("|"):
                pieces = pieces[1:]
            if pieces and not pieces[-1].strip():
                pieces = pieces[:-1]
        for piece in pieces:
            out.append(_Token(piece.strip(), number, _kind(piece)))
    return out


def _kind(piece: str) -> str:
    if not piece.strip():
        return "blank"
    if is_unit_word(piece):
        return "unit"
    parsed = parse_value(piece, None)
    if parsed.value is not None or parsed.rule == "not_applicable" or looks_numeric(piece):
        return "value"
    return "prose" if len(match_key(piece)) > _MAX_LABEL else "text"


class _Cursor:
    """Token list with label reading (labels split over lines, trailing note lines)."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.t = tokens
        self.n = len(tokens)

    def kind(self, i: int) -> str:
        return self.t[i].kind if i < self.n else "end"

    def next_nonblank(self, i: int) -> int:
        while i < self.n and self.t[i].kind == "blank":
            i += 1
        return i

    def label(self, i: int, known) -> tuple[str, int, bool]:
        """(raw label, next index, known) of the label starting at token i. `known(text)` tells
        whether a text is a label of the table being read. A label wrapped over two or three
        lines is joined when the joined text is known or closes an open bracket; a following
        line that is only a bracketed note is attached to it."""
        parts = [self.t[i].text]
        j = i + 1
        if not known(parts[0]):
            for end in (i + 2, i + 3):
                if end > self.n or any(self.t[k].kind != "text" for k in range(i + 1, end)):
                    break
                if known("".join(self.t[k].text for k in range(i, end))):
                    parts, j = [self.t[k].text for k in range(i, end)], end
                    break
            if j == i + 1 and tpl.has_open_bracket(parts[0]):
                # an unknown label still takes the lines that close its bracket
                k = i + 1
                while tpl.has_open_bracket("".join(parts)) and self.kind(k) == "text" and k < i + 3:
                    parts.append(self.t[k].text)
                    k += 1
                if tpl.has_open_bracket("".join(parts)):
                    parts = parts[:1]  # never closed: not a wrapped label
                j = i + len(parts)
        while self.kind(j) == "text" and tpl.is_pure_note(self.t[j].text):
            parts.append(self.t[j].text)
            j += 1
        text = "\n".join(parts)
        return text, j, known(text)

    def values(self, i: int, limit: int | None = None) -> tuple[list[_Token], int]:
        """Consecutive value and blank cells from i (at most `limit`)."""
        out: list[_Token] = []
        while (
            i < self.n
            and self.t[i].kind in ("value", "blank")
            and (limit is None or len(out) < limit)
        ):
            out.append(self.t[i])
            i += 1
        return out, i


def _read_text(text: str, sink: _Sink) -> None:
    tokens = _tokens(text)
    cur = _Cursor(tokens)
    i = 0
    last_end = 0
    while i < cur.n:
        start = _section_at(cur, i)
        if start is None:
            i += 1
            continue
        caption = [t.text for t in tokens[last_end:i] if t.kind == "text"][-3:]
        reader = {"rows": _text_rows, "art20": _text_art20, "apps": _text_apps,
                  "review": _text_review}[start]  # fmt: skip
        end = reader(cur, i, sink, caption)
        if end <= i:  # a reader that read nothing must not stall the scan
            end = i + 1
        i = last_end = end


def _section_at(cur: _Cursor, i: int) -> str | None:
    """The kind of flattened table that starts at token i, if one does."""
    tok = cur.t[i]
    if tok.kind != "text":
        return None
    anchor = _anchor(cur, i)
    if anchor == "art20" and tpl.is_art20_header_start(tok.text):
        return "art20" if _art20_header(cur, i + 1)[0] else None
    if anchor is not None:
        return anchor
    _, j, known = cur.label(i, _known_apps)
    if known and (cur.kind(j) == "value" or (j < cur.n and _known_apps(cur.t[j].text))):
        return "apps"
    _, j, known = cur.label(i, _known_legacy)
    if known and cur.kind(cur.next_nonblank(_skip_units(cur, j))) == "value":
        return "rows"
    if tpl.art20_row_key(tok.text) and cur.values(i + 1)[0]:
        return "art20"
    return None


def _anchor(cur: _Cursor, i: int) -> str | None:
    """A token that can only start (or head) one kind of table: 第二十条 caption or 信息内容,
    行政复议 + 行政诉讼, 统计指标, 申请人情况 or the 勾稽 note."""
    tok = cur.t[i]
    if tpl.is_art20_block_caption(tok.text) or tpl.is_art20_header_start(tok.text):
        return "art20"
    if tpl.is_review_header_start([t.text for t in cur.t[i : i + 4]]):
        return "review"
    if tpl.is_legacy_table_start(tok.text):
        return "rows"
    if tok.key == "申请人情况" or "勾稽关系" in tok.key:
        return "apps"
    return None


def _known_legacy(text: str) -> bool:
    return tpl.legacy_index().lookup(text) is not None


def _known_apps(text: str) -> bool:
    return bool(text) and tpl.apps_index().lookup(text) is not None


def _other_section(cur: _Cursor, i: int, current: str) -> bool:
    """Token i starts another kind of table: the current flattened table has ended."""
    found = _anchor(cur, i)
    if found is None and _known_apps(cur.t[i].text):
        found = "apps"
    return found is not None and found != current


def _skip_units(cur: _Cursor, j: int) -> int:
    while cur.kind(j) in ("blank", "unit"):
        j += 1
    return j


def _line(tok: _Token) -> str:
    return f"text line {tok.line}"


def _text_rows(cur: _Cursor, i: int, sink: _Sink, caption: list[str]) -> int:
    """A legacy 统计表 (or own table) flattened: label, then optional unit cell, then the value."""
    reader = _LegacyRows(sink, tpl.scope_of(caption))
    while i < cur.n and (cur.kind(i) == "blank" or tpl.is_legacy_header(cur.t[i].text)):
        sink.keys.append(cur.t[i].text)
        i += 1
    while i < cur.n:
        tok = cur.t[i]
        if tok.kind in ("blank", "unit"):
            i += 1
            continue
        if tok.kind == "value":
            sink.finding("unlabelled_value", f"{_line(tok)}: value {tok.text!r} has no label")
            i += 1
            continue
        if (
            tok.kind == "prose"
            or _other_section(cur, i, "rows")
            or (tpl.is_legacy_table_start(tok.text))
        ):
            return i
        label, j, known = cur.label(i, _known_legacy)
        k = j
        units, values = [], []
        while cur.kind(k) in ("blank", "unit", "value"):
            if cur.t[k].kind == "unit":
                units.append(cur.t[k])
            elif cur.t[k].kind == "value":
                values.append(cur.t[k])
            k += 1
        if not known and not values:
            nxt = cur.next_nonblank(k)
            if nxt >= cur.n or cur.kind(nxt) != "text" or not _known_legacy(cur.t[nxt].text):
                return i  # prose after the table
        unit_cell = units[-1].text if units else ""
        where = _line(values[0]) if values else _line(tok)
        if len(values) > 1:
            _count_mismatch(sink, tok, values, 1)
            reader.row(label, " | ".join(v.text for v in values), where, unattributed=True)
        else:
            reader.row(label, values[0].text if values else "", where, unit_cell=unit_cell)
        i = k
    return i


def _art20_header(cur: _Cursor, i: int) -> tuple[list[str | None], list[str], int]:
    """Column labels of a flattened 表二 header starting at token i (after 信息内容)."""
    printed: list[str] = []
    j = i
    while cur.kind(j) == "text" and not tpl.art20_row_key(cur.t[j].text) and len(printed) < 8:
        if tpl.is_art20_block_caption(cur.t[j].text):
            break
        printed.append(cur.t[j].text)
        j += 1
    columns = tpl.art20_columns_in("".join(printed))
    return list(columns), printed, j


def _text_art20(cur: _Cursor, i: int, sink: _Sink, caption: list[str]) -> int:
    sink.kinds.add("art20")
    columns: list[str | None] = []
    headers: list[str] = []
    while i < cur.n:
        tok = cur.t[i]
        if tok.kind == "blank":
            i += 1
            continue
        if tok.kind != "text" or _other_section(cur, i, "art20"):
            return i
        sink.keys.append(tok.text)
        if tpl.is_art20_block_caption(tok.text):
            columns = []
            i += 1
            continue
        if tpl.is_art20_header_start(tok.text):
            columns, printed, i = _art20_header(cur, i + 1)
            sink.keys.append("".join(printed))
            if len(columns) < len(printed) and len(printed) <= 3:
                columns = tpl.complete_art20_columns(
                    [tpl.art20_column(p) for p in printed]
                )  # one header per line, one of them unreadable
            # the printed header of each column when it came one per line
            headers = printed if len(printed) == len(columns) else [""] * len(columns)
            continue
        known = tpl.art20_row_key(tok.text) is not None
        if columns:
            values, j = cur.values(i + 1, len(columns))
            if not known and len(values) != len(columns):
                return i
            if len(values) != len(columns):
                _count_mismatch(sink, tok, values, len(columns))
                for column in columns:
                    if column:
                        _emit_art20(sink, tok.text, column, "", _line(tok), unattributed=True)
            else:
                for column, head, value in zip(columns, headers, values, strict=True):
                    if column is None:
                        sink.finding("unmapped_label", f"{_line(value)}: 表二 column unreadable")
                        continue
                    _emit_art20(sink, tok.text, column, value.text, _line(value), head)
            i = j
            continue
        values, j = cur.values(i + 1)
        if not known or not values:
            return i
        _art20_without_header(sink, tok.text, [(v.text, _line(v)) for v in values])
        i = j
    return i


def _count_mismatch(sink: _Sink, tok: _Token, values: list[_Token], expected: int) -> None:
    sink.finding(
        "value_count",
        f"{_line(tok)}: row {tok.text!r} has {len(values)} values "
        f"{[v.text for v in values]} where {expected} are expected; positions unproven, "
        "stored as None",
    )


def _text_apps(cur: _Cursor, i: int, sink: _Sink, caption: list[str]) -> int:
    """表三 flattened: header cells, then each row label followed by its 7 applicant values."""
    reader = _AppsRows(sink)
    while i < cur.n:
        tok = cur.t[i]
        if tok.kind == "blank":
            i += 1
            continue
        if tok.kind == "text" and tpl.is_apps_header(tok.text) and not _known_apps(tok.text):
            sink.keys.append(tok.text)
            i += 1
            continue
        if tok.kind != "text" or _other_section(cur, i, "apps"):
            return i
        label, j, known = cur.label(i, _known_apps)
        values, k = cur.values(j, 7)
        if not known:
            if len(values) != 7:
                return i
        if len(values) == 7:
            cells = [
                (a, a, v.text, _line(v)) for a, v in zip(tpl.APPLICANT_ORDER, values, strict=True)
            ]
        else:
            code, _ = reader.code_for(label)
            if not values and (code in tpl.APPS_GROUPS):
                reader.sink.keys.append(label)
                reader.open_group(code)
                i = j
                continue
            _count_mismatch(sink, cur.t[i], values, 7)
            cells = [(a, a, "", _line(cur.t[i])) for a in tpl.APPLICANT_ORDER]
            reader.row(label, cells, unattributed=True)
            i = k
            continue
        reader.row(label, cells)
        i = k
    return i


def _text_review(cur: _Cursor, i: int, sink: _Sink, caption: list[str]) -> int:
    """表四 flattened: header words, then 15 values in the official column order."""
    sink.kinds.add("review")
    j = i
    while cur.kind(j) in ("text", "blank") and j - i < 40:
        if cur.kind(j) == "text":
            if len(cur.t[j].key) > 12:
                break
            sink.keys.append(cur.t[j].text)
        j += 1
    values, k = cur.values(j, 15)
    if len(values) != 15:
        if values:
            _count_mismatch(sink, cur.t[i], values, 15)
        return max(k, j)
    for code, value in zip(tpl.review_order(), values, strict=True):
        sink.value(code, f"表四 > {code}", value.text, _line(value))
    return k
