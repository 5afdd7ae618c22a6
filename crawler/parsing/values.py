"""Statistics cell values: number, sign and unit suffix, converted to the metric's unit.

Grammar (docs/templates.md §7): `^[+-−－]?\\d[\\d,]*(\\.\\d+)?(unit)?$` after NFKC and whitespace removal.
Anything else gives value None with a problem, never a guess: a blank cell is not 0.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from crawler.parsing.text import clean_text, label_key

UNITS = ("万元", "元", "人次", "条", "件", "个", "项", "人", "次", "篇", "期", "份")
_MONEY_IN_YUAN = {"元": Decimal(1), "万元": Decimal(10000)}

# NFKC keeps U+2212 (minus sign); full-width U+FF0D becomes "-", en/em dashes stay as dashes.
_NUMBER = re.compile(
    r"^(?P<sign>[+\-\u2212])?(?P<int>\d+|\d{1,3}(?:,\d{3})+)(?P<frac>\.\d+)?(?P<unit>" + "|".join(UNITS) + r")?$"
)
# "/", dashes and 无 mean "not applicable" (docs/templates.md §6.3); a lone "-" is a dash, not a sign.
_NOT_APPLICABLE = re.compile(r"^(?:[/\\]+|[\-\u2010-\u2015\u2212\u30fc\u4e00]+|无|不适用|暂无)$")


# digits with at most a short tail (余, %, a unit); `3.其他` and `2、重复申请` are ordinal labels
_NUMERIC_LOOKING = re.compile(r"^[+\-\u2212]?\d+(?:[,.]\d+)*(?![.、])\D{0,3}$")


@dataclass(frozen=True)
class ParsedValue:
    """A cell read as a number. `unit` is the unit of `value` (the metric's unit when one was
    given), `problem` says why `value` is None, `rule` names the problem for findings."""

    value: Decimal | None
    unit: str | None
    problem: str | None = None
    rule: str | None = None  # blank_value, not_applicable, unreadable_value, unit_mismatch, value_out_of_range


# A statistic is a count or an amount: 14 integer digits is what report_metrics.value
# (NUMERIC(20, 6)) holds, and more than any count a report prints (a 100-trillion-yuan budget).
# Longer digit runs in a value cell are an ID or phone number typed there: unreadable, not stored
# (PostgreSQL would refuse the whole report for it).
MAX_MAGNITUDE = Decimal(10) ** 14


def in_range(value: Decimal) -> bool:
    return abs(value) < MAX_MAGNITUDE


def _out_of_range(raw: str, unit: str | None) -> ParsedValue:
    return ParsedValue(None, unit, f"value out of range: {raw.strip()!r}", "value_out_of_range")


def is_unit_word(raw: str) -> bool:
    """A cell holding only a unit, as printed in the 单位 column (万元, 人次, 条 …)."""
    return label_key(raw) in UNITS


@functools.lru_cache(maxsize=2048)  # pure, and its result immutable: a form's cells recur across reports
def parse_value(raw: str, unit: str | None) -> ParsedValue:
    """Read one statistics cell for a metric whose canonical unit is `unit` (None if unknown).

    `1148226.228万元` → 1148226.228 万元; `251000元` for a 万元 metric → 25.1 万元; `+1036` → 1036;
    `１，２３４` → 1234. Blank, `/`, dashes and 无 → None with a problem; so is a printed unit that
    cannot be converted to `unit` (e.g. 条 for a 件 metric).
    """
    key = label_key(raw or "")
    if not key:
        return ParsedValue(None, unit, "blank cell", "blank_value")
    if _NOT_APPLICABLE.match(key):
        return ParsedValue(None, unit, f"not applicable: {raw.strip()!r}", "not_applicable")
    match = _NUMBER.match(key)
    # `0 0 22` is several values run together (PDF text), not 0022: never join digits across a gap
    if not match or re.search(r"\d\s+\d", clean_text(raw)):
        return ParsedValue(None, unit, f"unreadable value: {raw.strip()!r}", "unreadable_value")
    try:
        number = Decimal(match["int"].replace(",", "") + (match["frac"] or ""))
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return ParsedValue(None, unit, f"unreadable value: {raw.strip()!r}", "unreadable_value")
    if match["sign"] in ("-", "\u2212"):
        number = -number
    if not in_range(number):
        return _out_of_range(raw, unit)
    printed = match["unit"]
    if printed is None or unit is None or printed == unit:
        return ParsedValue(number, unit or printed)
    if printed in _MONEY_IN_YUAN and unit in _MONEY_IN_YUAN:
        # decimal arithmetic: 251000元 is exactly 25.1万元
        converted = number * _MONEY_IN_YUAN[printed] / _MONEY_IN_YUAN[unit]
        return ParsedValue(converted, unit) if in_range(converted) else _out_of_range(raw, unit)
    return ParsedValue(None, unit, f"unit {printed} in {raw.strip()!r} does not fit {unit}", "unit_mismatch")


def looks_numeric(raw: str) -> bool:
    """A cell that is meant as a number even if unreadable (`3200余`, `1.2.3`): a table reader
    treats it as a value cell (None + finding) rather than as a label."""
    key = label_key(raw or "")
    return len(key) <= 20 and bool(_NUMERIC_LOOKING.match(key))
