"""The canonical metric dictionary (crawler/data/metrics.csv), the contract with analysts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class MetricDefinition:
    code: str
    section: str
    labels: tuple[str, ...]  # label_zh split on "|": one label per generation or local table
    unit: str | None
    templates: tuple[str, ...]
    dimensions: tuple[str, ...]  # "scope", "applicant" or empty
    notes: str

    @property
    def label_zh(self) -> str:
        return "|".join(self.labels)

    @property
    def is_heading(self) -> bool:
        return self.code.endswith(".heading")


def metrics_csv_text() -> str:
    return resources.files("crawler.data").joinpath("metrics.csv").read_text(encoding="utf-8")


@cache
def load_metrics() -> dict[str, MetricDefinition]:
    """All metric definitions keyed by code, in file order."""
    rows = csv.DictReader(metrics_csv_text().splitlines())
    out: dict[str, MetricDefinition] = {}
    for row in rows:
        code = row["code"].strip()
        if code in out:
            raise ValueError(f"metrics.csv: duplicate code {code}")
        out[code] = MetricDefinition(
            code=code,
            section=row["section"].strip(),
            labels=tuple(x.strip() for x in row["label_zh"].split("|") if x.strip()),
            unit=row["unit"].strip() or None,
            templates=tuple(x for x in row["templates"].split("|") if x),
            dimensions=tuple(x for x in row["dimensions"].split("|") if x),
            notes=row["notes"].strip(),
        )
    return out
