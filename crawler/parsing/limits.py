"""Bounds on the work one document may cost (docs/operations.md, "Bounds on one document").

Parsing reads no environment: callers build a `Limits` (crawler/settings.py `parse_limits`, from
the GOVREPORTS_MAX_* settings) and pass it down; `Limits()` holds the same defaults. A document
past a bound raises `BoundExceeded` inside the reader; the reader of that document turns it into
`ExtractedDocument(extracted=False, note=<the bound named>)` plus a `bound_exceeded` finding, so
the document is stored, marked not extracted, and nothing is silently cut short.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one document may cost. Each field is named after the setting that sets it."""

    # bytes of all members of a DOCX/XLSX zip together, decompressed (declared and as read)
    max_decompressed_bytes: int = 100 * MIB
    # pages of a PDF (counted before any page is read)
    max_pdf_pages: int = 500
    # seconds of reading one PDF (checked between pages and between a page's steps)
    max_pdf_seconds: float = 120.0
    # cells of a document's tables after rowspan/colspan (gridSpan) expansion, all tables together
    max_table_cells: int = 200_000
    # element nesting of an HTML page (<html> is depth 1)
    max_html_depth: int = 256


# setting name of each field, as named in notes and findings
SETTING = {
    "max_decompressed_bytes": "GOVREPORTS_MAX_DECOMPRESSED_BYTES",
    "max_pdf_pages": "GOVREPORTS_MAX_PDF_PAGES",
    "max_pdf_seconds": "GOVREPORTS_MAX_PDF_SECONDS",
    "max_table_cells": "GOVREPORTS_MAX_TABLE_CELLS",
    "max_html_depth": "GOVREPORTS_MAX_HTML_DEPTH",
}
# The text and table readers walk an HTML tree recursively: a deeper limit would meet Python's
# recursion limit (1000 frames) before the bound.
HTML_DEPTH_CEILING = 600

DEFAULT = Limits()


class BoundExceeded(Exception):
    """A document went past one of its Limits; `setting` names the bound, `detail` what passed it."""

    def __init__(self, field: str, limit: float, detail: str) -> None:
        self.field, self.limit, self.detail = field, limit, detail
        self.setting = SETTING[field]
        super().__init__(self.note)

    def __reduce__(self):  # picklable, as every exception a parse worker may send back
        return (type(self), (self.field, self.limit, self.detail))

    @property
    def note(self) -> str:
        limit = f"{self.limit:g}" if isinstance(self.limit, float) else str(self.limit)
        return f"not extracted: past {self.setting} ({limit}): {self.detail}"


class CellBudget:
    """The table cells a document may still expand into (Limits.max_table_cells, all tables of
    one document together). `spend` raises BoundExceeded before the cells are allocated."""

    def __init__(self, limits: Limits) -> None:
        self.limit = limits.max_table_cells
        self.spent = 0

    def spend(self, cells: int, what: str) -> None:
        self.check(cells, what)
        self.spent += cells

    def check(self, cells: int, what: str) -> None:
        """BoundExceeded when `cells` more would pass the bound; nothing spent."""
        if self.spent + cells > self.limit:
            raise BoundExceeded(
                "max_table_cells",
                self.limit,
                f"{what} expands to {cells} cells ({self.spent + cells} in this document's tables)",
            )
