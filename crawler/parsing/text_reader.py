"""Statistics from tables flattened into text — one cell per line, or `|`-separated cells —
read by anchoring on known labels and the expected number of values per row (docs/templates.md §6.1)."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.parsing import templates as tpl
from crawler.parsing.sink import AppsRows, LegacyRows, Sink, art20_without_header, emit_art20
from crawler.parsing.templates import match_key
from crawler.parsing.values import is_unit_word, looks_numeric, parse_value


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
        while i < self.n and self.t[i].kind in ("value", "blank") and (limit is None or len(out) < limit):
            out.append(self.t[i])
            i += 1
        return out, i


def read_text(text: str, sink: Sink) -> None:
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


def _text_rows(cur: _Cursor, i: int, sink: Sink, caption: list[str]) -> int:
    """A legacy 统计表 (or own table) flattened: label, then optional unit cell, then the value."""
    reader = LegacyRows(sink, tpl.scope_of(caption))
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
        if tok.kind == "prose" or _other_section(cur, i, "rows") or (tpl.is_legacy_table_start(tok.text)):
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


def _text_art20(cur: _Cursor, i: int, sink: Sink, caption: list[str]) -> int:
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
                        emit_art20(sink, tok.text, column, "", _line(tok), unattributed=True)
            else:
                for column, head, value in zip(columns, headers, values, strict=True):
                    if column is None:
                        sink.finding("unmapped_label", f"{_line(value)}: 表二 column unreadable")
                        continue
                    emit_art20(sink, tok.text, column, value.text, _line(value), head)
            i = j
            continue
        values, j = cur.values(i + 1)
        if not known or not values:
            return i
        art20_without_header(sink, tok.text, [(v.text, _line(v)) for v in values])
        i = j
    return i


def _count_mismatch(sink: Sink, tok: _Token, values: list[_Token], expected: int) -> None:
    sink.finding(
        "value_count",
        f"{_line(tok)}: row {tok.text!r} has {len(values)} values "
        f"{[v.text for v in values]} where {expected} are expected; positions unproven, "
        "stored as None",
    )


def _text_apps(cur: _Cursor, i: int, sink: Sink, caption: list[str]) -> int:
    """表三 flattened: header cells, then each row label followed by its 7 applicant values."""
    reader = AppsRows(sink)
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
            cells = [(a, a, v.text, _line(v)) for a, v in zip(tpl.APPLICANT_ORDER, values, strict=True)]
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


def _text_review(cur: _Cursor, i: int, sink: Sink, caption: list[str]) -> int:
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
