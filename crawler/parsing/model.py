"""Plain data passed between the parsing functions, the pipelines and the CLI.

Parsing never touches the network or the database: it takes bytes or text and returns these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# Dimension values (metrics.csv `dimensions` column).
SCOPES = ("self", "region")
APPLICANTS = (
    "natural_person",
    "commercial",
    "research",
    "public_interest",
    "legal_services",
    "other_org",
    "total",
)

# Template names recorded on a report (docs/templates.md §1).
TEMPLATES = ("legacy", "gov2019", "gov2021", "other", "narrative")

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Cell:
    """One position of a table grid. A merged cell is repeated over every position it covers;
    `row`/`col` give the origin of the merged cell, so a consumer can tell a copy from the original."""

    text: str
    row: int
    col: int


@dataclass
class Table:
    """A table with rowspan/colspan resolved into a rectangular grid.

    `caption` holds the text lines just before the table (title, scope caption such as 市本级);
    `origin` says where the grid came from: html, text:lines, text:pipes, pdf, docx.
    """

    grid: list[list[Cell]]
    caption: str = ""
    origin: str = "html"
    document: str = ""  # URL or file name of the document the table came from

    def is_origin(self, r: int, c: int) -> bool:
        cell = self.grid[r][c]
        return cell.row == r and cell.col == c

    def texts(self) -> list[list[str]]:
        return [[cell.text for cell in row] for row in self.grid]


@dataclass
class MetricValue:
    """One statistic of a report.

    `code` is a metrics.csv code, or None for a row whose label matches no code (kept raw, with a
    finding). `value` is None when the cell is blank, "/" or unreadable (never 0 by default).
    """

    code: str | None
    value: Decimal | None
    unit: str | None
    raw_label: str
    raw_value: str
    scope: str | None = None
    applicant: str | None = None
    source: str = "table"  # "table" or "text" (prose headline number)
    location: str = ""  # e.g. "page table 2 row 14 col 3", "attachment report.pdf text"

    def key(self) -> tuple[str | None, str | None, str | None]:
        return (self.code, self.scope, self.applicant)


@dataclass
class Finding:
    """A validation finding: a broken 勾稽 rule, a missing cell, an unmapped label, a bad encoding."""

    rule: str
    severity: str  # one of SEVERITIES
    detail: str
    code: str | None = None  # metric code concerned, where there is one


@dataclass
class Metadata:
    title: str | None = None
    year: int | None = None  # report year (from the title, else the statistics period)
    published_at: date | None = None
    # "day", "month" or "year": 二〇二〇年一月 is stored as 2020-01-01 with precision "month"
    published_precision: str | None = None
    agency: str | None = None  # the body that published the report, as printed
    source: str | None = None  # the page's source line (信息来源/来源/资料来源/作者)


@dataclass
class ExtractedDocument:
    """What a PDF/DOCX/DOC/HTML document yields before statistics are read from it."""

    text: str
    tables: list[Table] = field(default_factory=list)
    extracted: bool = True
    note: str = ""  # why a document was not (fully) extracted; for a .doc, which converter read it
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ParsedReport:
    metadata: Metadata
    template: str | None = None  # one of TEMPLATES
    metrics: list[MetricValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    text: str = ""
    is_report: bool = True  # False for look-alikes (图解, 解读, notices) that must not become reports
    # per document name: (extracted, note) — e.g. a .doc with no converter is (False, "no .doc converter")
    extraction: dict[str, tuple[bool, str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        """The JSON shape printed by `govreports parse`."""
        md = self.metadata
        return {
            "title": md.title,
            "year": md.year,
            "published_at": _json_date(md.published_at, md.published_precision),
            "agency": md.agency,
            "source": md.source,
            "template": self.template,
            "metrics": [
                {
                    "code": m.code,
                    "scope": m.scope,
                    "applicant": m.applicant,
                    "value": _json_number(m.value),
                    "unit": m.unit,
                    "raw_label": m.raw_label,
                    "raw_value": m.raw_value,
                    "source": m.source,
                }
                for m in self.metrics
            ],
            "findings": [{"rule": f.rule, "severity": f.severity, "detail": f.detail} for f in self.findings],
            "documents": [
                {"name": name, "extracted": ok, "note": note} for name, (ok, note) in self.extraction.items()
            ],
        }


def _json_date(value: date | None, precision: str | None) -> str | None:
    if value is None:
        return None
    if precision == "month":
        return value.strftime("%Y-%m")
    if precision == "year":
        return value.strftime("%Y")
    return value.isoformat()


def _json_number(value: Decimal | None) -> int | float | str | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    # keep exact decimals such as 1148226.228 as JSON numbers without binary rounding noise
    return float(value) if len(value.as_tuple().digits) <= 15 else str(value)
