"""Where statistics readers put what they read: one place that turns (code, raw value) into
MetricValue rows and findings, and the row interpreters shared by the grid reader
(grid_reader.py) and the flattened-text reader (text_reader.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from crawler.parsing import templates as tpl
from crawler.parsing.model import Finding, MetricValue
from crawler.parsing.templates import match_key
from crawler.parsing.values import is_unit_word, looks_numeric, parse_value


@dataclass
class Sink:
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
                f"{location} {one_line(raw_label)!r}: {parsed.problem}",
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
                f"{location}: unit column says {printed!r} for {one_line(raw_label)!r}; metrics.csv unit {unit} kept",
                code,
                "info",
            )
        return raw_value, unit


def _money(unit: str) -> bool:
    return match_key(unit) in ("元", "万元")


def _has_unit_suffix(raw: str) -> bool:
    key = match_key(raw)
    return bool(key) and not key[-1].isdigit() and looks_numeric(raw)


def one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------
# row readers shared by grids and flattened text


class LegacyRows:
    """Rows of a legacy 统计表 or a body's own label/unit/value table."""

    def __init__(self, sink: Sink, scope: str | None) -> None:
        self.sink = sink
        self.scope = scope
        self.group: str | None = None  # section (一…十三) of the rows below
        sink.kinds.add("rows")

    def code_for(self, label: str, parents: Sequence[str] = ()) -> tuple[str | None, bool]:
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
        parents: Sequence[str] = (),
        unattributed: bool = False,
    ) -> None:
        self.sink.keys.append(label)
        code, known = self.code_for(label, list(parents))
        if known and code is None:
            self.sink.finding(
                "ambiguous_label",
                f"{location}: label {one_line(label)!r} recurs under several parents and its "
                "parent is unknown; kept unmapped",
            )
        self.sink.value(
            code, label, raw_value, location,
            scope=self.scope, unit_cell=unit_cell, unattributed=unattributed,
        )  # fmt: skip


class AppsRows:
    """Rows of 表三: a label path and one value per applicant column."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.context: str | None = None
        sink.kinds.add("apps")

    def code_for(self, label: str, parents: Sequence[str] = ()) -> tuple[str | None, bool]:
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
        parents: Sequence[str] = (),
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
            self.sink.finding("ambiguous_label", f"{cells[0][3]}: label {one_line(label)!r} is ambiguous")
        for applicant, column, raw, location in cells:
            self.sink.value(
                code, f"{label.strip()} > {column.strip()}", raw, location,
                applicant=applicant, unattributed=unattributed,
            )  # fmt: skip


def emit_art20(
    sink: Sink,
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


def art20_without_header(sink: Sink, label: str, values: list[tuple[str, str]]) -> None:
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
        emit_art20(sink, label, column, raw, location)
