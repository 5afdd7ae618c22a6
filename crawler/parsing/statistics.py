"""Statistics tables → MetricValue rows keyed by metrics.csv codes (issue "Statistics normalisation").

`read_statistics(text, tables)` reads real grids (HTML/PDF/DOCX) and tables flattened into the
document text (one cell per line, or `|`-separated cells). Four kinds of table are read:
  rows    legacy 统计表 (and bodies' own label/unit/value tables): label → one value
  art20   表二 (第二十条): blocks of row label × column header
  apps    表三: row label × applicant column
  review  表四: one row of 15 numbers under a three-row header
Grids are read by position; flattened text by anchoring on known labels and the expected number
of values per row (docs/templates.md §6.1). The 勾稽 rules are not checked here (rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.parsing import templates as tpl
from crawler.parsing.grid_reader import read_grid
from crawler.parsing.model import Finding, MetricValue, Table
from crawler.parsing.sink import Sink
from crawler.parsing.text_reader import read_text


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
    sink = Sink()
    for number, table in enumerate(tables, start=1):
        read_grid(table, f"table {number}", sink)
    read_text(text or "", sink)
    template = tpl.detect_template(sink.keys, sink.kinds)
    return Statistics(template=template, metrics=sink.metrics, findings=sink.findings)
