"""`govreports export`: the analysts' views as tidy files, one row per observation.

    reports.<ext>         report_summary: one row per report with its headline numbers
    metric_values.<ext>   metric_values: one row per statistic (long format)
    findings.<ext>        open_findings: one row per validation finding
    dictionary.<ext>      the metric dictionary (crawler/data/metrics.csv)
    README.md             what each file and column means, and the filters used

Formats: csv (UTF-8, optionally with a BOM so spreadsheet programs read the Chinese right;
text cells a spreadsheet would run as a formula are escaped, see `spreadsheet_safe`),
jsonl (one JSON object per line) and parquet (needs pyarrow: the [export] extra). The export
only reads: it never migrates or changes the database.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from crawler.errors import MissingExtra, UsageError
from crawler.parsing.metrics import load_metrics
from crawler.storage.views import HEADLINE_COLUMNS

FORMATS = ("csv", "jsonl", "parquet")
BATCH = 5000


class ExportError(UsageError):
    """Bad input (a filter, a format, --bom): one line for the user, exit status 2. An unusable
    database is crawler.storage.db's error (exit status 1)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer | number | text | date
    meaning: str


def _columns(*specs: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


_REPORT = (
    ("report_id", "integer", "report id (joins metric_values.report_id and findings.report_id)"),
    ("body", "text", "publishing body (机关)"),
    ("level", "text", "province | city | county | district | department | zone"),
    ("region_code", "text", "行政区划代码 of the body, where known"),
    ("parent_body", "text", "the body's parent body, where known"),
    ("spider", "text", "portal (spider) the report was crawled from"),
    ("year", "integer", "report year (the year the report covers, not the publishing year)"),
    ("title", "text", "report title"),
)

# Every file's columns, in order: the same as the view's (tests check they never drift apart).
FILES: dict[str, tuple[str, tuple[Column, ...]]] = {
    "reports": (
        "report_summary",
        _columns(
            *_REPORT,
            ("published_at", "date", "publishing date (may be only month or year precise)"),
            ("template", "text", "statistics table generation: legacy | gov2019 | gov2021 | other | narrative"),
            ("url", "text", "URL the report was fetched from"),
            ("version", "integer", "1, or higher when the body edited the report after publishing"),
            *((name, "number", meaning) for name, (_, meaning) in HEADLINE_COLUMNS.items()),
            ("metrics", "integer", "number of statistics stored for the report"),
            ("findings", "integer", "number of validation findings on the report"),
        ),
    ),
    "metric_values": (
        "metric_values",
        _columns(
            ("metric_id", "integer", "statistic id"),
            ("report_id", "integer", "report id"),
            ("body", "text", "publishing body"),
            ("level", "text", "body level"),
            ("spider", "text", "portal (spider)"),
            ("year", "integer", "report year"),
            ("template", "text", "statistics table generation of the report"),
            ("code", "text", "metric code (dictionary.code); empty for a row whose label matched no code"),
            ("label_zh", "text", "dictionary label(s) of the code, | between generations"),
            ("section", "text", "dictionary section of the code"),
            ("scope", "text", "legacy tables: self (本级) | region (本行政区域); empty otherwise"),
            (
                "applicant",
                "text",
                "2019+ application table: natural_person | commercial | research | "
                "public_interest | legal_services | other_org | total; empty otherwise",
            ),
            ("value", "number", "the value in the dictionary's unit; empty when the cell is blank or unreadable"),
            ("unit", "text", "unit of value"),
            ("raw_label", "text", "the label as printed"),
            ("raw_value", "text", "the cell or number as printed"),
            ("source", "text", "table (statistics table) | text (a number stated in the prose)"),
            ("location", "text", "document and table/row/column or line the value came from"),
        ),
    ),
    "findings": (
        "open_findings",
        _columns(
            ("finding_id", "integer", "finding id"),
            *(c for c in _REPORT if c[0] in ("report_id", "body", "spider", "year", "title")),
            ("rule", "text", "the check that failed (勾稽 rule, unmapped label, missing cell …)"),
            ("severity", "text", "error | warning | info"),
            ("code", "text", "metric code concerned, where there is one"),
            ("detail", "text", "what was found"),
        ),
    ),
}

DICTIONARY = _columns(
    ("code", "text", "metric code"),
    ("section", "text", "section of the report's statistics"),
    ("label_zh", "text", "label(s) as printed (NFKC), | between generations; ' > ' joins header levels"),
    ("unit", "text", "unit of the canonical value"),
    ("templates", "text", "table generations carrying the code: legacy | gov2019 | gov2021"),
    ("dimensions", "text", "scope (legacy) or applicant (2019+), or empty"),
    ("notes", "text", "notes and evidence"),
)

_ORDER = {
    "report_summary": "body, year, report_id",
    "metric_values": "body, year, report_id, metric_id",
    "open_findings": "body, year, report_id, finding_id",
}


@dataclass(frozen=True)
class Filters:
    spider: str | None = None
    year: int | None = None
    metric: str | None = None

    def describe(self) -> str:
        parts = [f"{name}={value}" for name, value in vars(self).items() if value is not None]
        return ", ".join(parts) or "none (everything)"


@dataclass(frozen=True)
class Written:
    path: Path
    rows: int


def export(engine: Engine, out: Path, fmt: str, filters: Filters = Filters(), *, bom: bool = False) -> list[Written]:
    """Write the tidy files into `out` and return what was written."""
    writer_class = _writer_class(fmt)
    if bom and fmt != "csv":
        raise ExportError("--bom is for --format csv only")
    _check_database(engine)
    _check_filters(engine, filters)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with engine.connect() as conn:
        for name, (view, columns) in FILES.items():
            sql, params = _query(view, columns, filters)
            result = conn.execution_options(stream_results=True).execute(text(sql), params)
            rows = (tuple(_plain(v) for v in row) for row in result)
            written.append(_write(writer_class, out / f"{name}.{fmt}", columns, rows, bom))
    written.append(_write(writer_class, out / f"dictionary.{fmt}", DICTIONARY, _dictionary_rows(), bom))
    readme = out / "README.md"
    readme.write_text(readme_text(fmt, filters, written), encoding="utf-8")
    return [*written, Written(readme, 0)]


def summary(written: list[Written], fmt: str) -> str:
    lines = [f"{w.path}  {w.rows} rows" for w in written if w.path.suffix != ".md"]
    folder = written[0].path.parent if written else Path("?")
    return "\n".join([f"exported {fmt} to {folder}:", *lines, f"{folder / 'README.md'}  columns and filters"])


# -- input checks --------------------------------------------------------------------------------


def _check_database(engine: Engine) -> None:
    """The export only reads: a missing SQLite file, an unreachable server or a schema other
    than this govreports' (older: `govreports db upgrade`; newer) is refused, never created."""
    from crawler.storage.db import open_database

    open_database(engine.url.render_as_string(hide_password=False)).dispose()


def _check_filters(engine: Engine, filters: Filters) -> None:
    if filters.metric is not None and filters.metric not in load_metrics():
        raise ExportError(
            f"unknown metric code {filters.metric!r}; close codes: {', '.join(close_codes(filters.metric))}"
        )
    if filters.spider is not None:
        spiders = known_spiders(engine)
        if filters.spider not in spiders:
            raise ExportError(f"unknown spider {filters.spider!r} (spiders: {', '.join(sorted(spiders))})")


def close_codes(code: str, limit: int = 8) -> list[str]:
    """Codes near a mistyped one: similar spelling first, then codes sharing its first part."""
    codes = list(load_metrics())
    near = difflib.get_close_matches(code, codes, n=limit, cutoff=0.6)
    prefix = code.split(".")[0] + "."
    near += [c for c in codes if c.startswith(prefix) and c not in near]
    return near[:limit] or difflib.get_close_matches(code, codes, n=limit, cutoff=0.0)


def known_spiders(engine: Engine) -> set[str]:
    """The portals of the registry (each is a spider) and any spider that stored reports in this database."""
    from crawler.registry import RegistryError, load_registry

    try:
        portals = set(load_registry())
    except RegistryError as exc:
        raise ExportError(str(exc)) from None
    with engine.connect() as conn:
        stored = set(conn.scalars(text("SELECT DISTINCT spider FROM reports")))
    return stored | portals


# -- rows ------------------------------------------------------------------------------------------


def _query(view: str, columns: tuple[Column, ...], filters: Filters) -> tuple[str, dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if filters.spider is not None:
        where.append("spider = :spider")
        params["spider"] = filters.spider
    if filters.year is not None:
        where.append("year = :year")
        params["year"] = filters.year
    if filters.metric is not None:
        params["metric"] = filters.metric
        where.append(
            "code = :metric"
            if view != "report_summary"
            else "report_id IN (SELECT report_id FROM metric_values WHERE code = :metric)"
        )
    sql = f"SELECT {', '.join(c.name for c in columns)} FROM {view}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return f"{sql} ORDER BY {_ORDER[view]}", params


def _plain(value: Any) -> Any:
    """One representation on both databases: numbers as int or float (SQLite gives floats and
    ints, PostgreSQL Decimals), dates as ISO text (SQLite stores them as text)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _dictionary_rows() -> Iterator[tuple]:
    for d in load_metrics().values():
        yield (d.code, d.section, d.label_zh, d.unit, "|".join(d.templates), "|".join(d.dimensions), d.notes)


# -- writers ---------------------------------------------------------------------------------------


def _write(writer_class: type, path: Path, columns: tuple[Column, ...], rows: Iterable[tuple], bom: bool) -> Written:
    count = 0
    writer = writer_class(path, columns, bom)
    try:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                writer.write(batch)
                count += len(batch)
                batch = []
        writer.write(batch)
        count += len(batch)
    finally:
        writer.close()
    return Written(path, count)


# A text cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (=HYPERLINK(…) in a scraped title would run when the CSV is opened): OWASP "CSV injection".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that would start a formula, with a single quote in front (the spreadsheet
    shows the text as it is: `'=HYPERLINK(…)` displays `=HYPERLINK(…)`); a signed plain number
    ("-3") is no formula and stays as it is. Numbers, dates and None pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class CsvWriter:
    def __init__(self, path: Path, columns: tuple[Column, ...], bom: bool) -> None:
        self.file = path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self.csv = csv.writer(self.file)
        self.csv.writerow([c.name for c in columns])

    def write(self, rows: list[tuple]) -> None:
        self.csv.writerows([spreadsheet_safe(v) for v in row] for row in rows)

    def close(self) -> None:
        self.file.close()


class JsonlWriter:
    def __init__(self, path: Path, columns: tuple[Column, ...], bom: bool) -> None:
        self.file = path.open("w", encoding="utf-8")
        self.names = [c.name for c in columns]

    def write(self, rows: list[tuple]) -> None:
        for row in rows:
            self.file.write(json.dumps(dict(zip(self.names, row, strict=True)), ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.file.close()


class ParquetWriter:
    def __init__(self, path: Path, columns: tuple[Column, ...], bom: bool) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"integer": pa.int64(), "number": pa.float64(), "text": pa.string(), "date": pa.date32()}
        self.pa = pa
        self.schema = pa.schema([(c.name, types[c.type]) for c in columns])
        self.dates = [c.type == "date" for c in columns]
        self.file = pq.ParquetWriter(str(path), self.schema)

    def write(self, rows: list[tuple]) -> None:
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in self.schema]
        arrays = [
            self.pa.array([date.fromisoformat(v) if v else None for v in col] if is_date else col, type=field.type)
            for col, field, is_date in zip(columns, self.schema, self.dates, strict=True)
        ]
        self.file.write_table(self.pa.table(arrays, schema=self.schema))

    def close(self) -> None:
        self.file.close()


def _writer_class(fmt: str) -> type:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    if fmt == "parquet":
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise MissingExtra("pyarrow", "--format parquet") from None
    return {"csv": CsvWriter, "jsonl": JsonlWriter, "parquet": ParquetWriter}[fmt]


# -- README ----------------------------------------------------------------------------------------


def readme_text(fmt: str, filters: Filters, written: list[Written]) -> str:
    lines = [
        "# govreports export",
        "",
        f"Format: {fmt}, UTF-8. Filters: {filters.describe()}.",
        "Empty cells are missing values (never 0). Money is in 万元; every value is in its code's unit.",
        "The headline columns of reports.* pick, per report and code, the 本行政区域 (region) table of a",
        "legacy report before the 本级 (self) one, and the applicant total of a 2019+ report.",
        "See docs/analysts.md for the codes, the views and worked queries.",
        *(
            [
                "A text cell starting with = + - @, a tab or a carriage return (a formula to a spreadsheet)",
                "is written with a ' in front: remove that one character to get the value as stored.",
            ]
            if fmt == "csv"
            else []
        ),
        "",
        "| file | rows |",
        "|---|---|",
        *(f"| {w.path.name} | {w.rows} |" for w in written),
    ]
    for name, columns in [*((n, cols) for n, (_, cols) in FILES.items()), ("dictionary", DICTIONARY)]:
        lines += ["", f"## {name}.{fmt}", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| {c.name} | {c.type} | {c.meaning} |" for c in columns]
    return "\n".join(lines) + "\n"
