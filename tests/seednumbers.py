"""The numbers of the seed reports that tests expect, typed once in tests/seeds/expected.toml.

    numbers("002", "self")["proactive.total"].value  -> Decimal("22794")
    values("000", "table")["art20.procurement.amount"] -> Decimal("1148226.228")

Parts: `table` (a report's statistics table), `self` / `region` (the two tables of a pre-2019
report), `prose` (headline numbers stated in the text).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from tests.conftest import SEEDS

EXPECTED = SEEDS / "expected.toml"


@dataclass(frozen=True)
class Number:
    value: Decimal
    printed: str  # the number as the report prints it
    unit: str | None = None
    label: str | None = None  # the raw label
    scope: str | None = None
    applicant: str | None = None
    line: int | None = None  # the seed line a prose number comes from


@cache
def expected() -> dict[str, Any]:
    return tomllib.loads(EXPECTED.read_text("utf-8"))


def seed(prefix: str) -> dict[str, Any]:
    """The seed's entry: title, year and its parts."""
    return expected()[prefix]


def numbers(prefix: str, part: str) -> dict[str, Number]:
    """Metric code -> Number of one part of a seed, in the file's order."""
    out = {}
    for code, entry in seed(prefix)[part].items():
        fields = dict(entry) if isinstance(entry, dict) else {"value": entry}
        value = str(fields.pop("value"))
        out[code] = Number(Decimal(value), str(fields.pop("printed", value)), **fields)
    return out


def values(prefix: str, part: str) -> dict[str, Decimal]:
    return {code: n.value for code, n in numbers(prefix, part).items()}


def value(prefix: str, part: str, code: str) -> Decimal:
    return numbers(prefix, part)[code].value
