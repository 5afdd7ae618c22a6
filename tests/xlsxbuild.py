"""A minimal XLSX writer for the tests (tests/test_office_documents.py): sheets of rows, merged
ranges, numbers as numeric cells (or as the double Excel stores), text as shared strings (or
inline). Nothing here reads a workbook: the reader under test is crawler/parsing/documents.py."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class Sheet:
    name: str
    rows: list[list[str]]
    merged: list[str] = field(default_factory=list)  # "A1:D1"
    stored: dict[str, str] = field(default_factory=dict)  # cell ref -> <v> as Excel writes it
    inline: bool = False  # text as inline strings instead of shared ones


def column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook(sheets: list[Sheet]) -> bytes:
    shared: list[str] = []
    parts: dict[str, str] = {}
    for number, sheet in enumerate(sheets, 1):
        rows = []
        for r, row in enumerate(sheet.rows, 1):
            cells = []
            for c, text in enumerate(row):
                ref = f"{column(c)}{r}"
                if ref in sheet.stored:
                    cells.append(f'<c r="{ref}"><v>{sheet.stored[ref]}</v></c>')
                elif not text:
                    continue
                elif NUMBER.match(text):
                    cells.append(f'<c r="{ref}"><v>{text}</v></c>')
                elif sheet.inline:
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>')
                else:
                    shared.append(text)
                    cells.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
            rows.append(f'<row r="{r}">{"".join(cells)}</row>')
        merges = "".join(f'<mergeCell ref="{m}"/>' for m in sheet.merged)
        parts[f"xl/worksheets/sheet{number}.xml"] = (
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{''.join(rows)}</sheetData>"
            + (f'<mergeCells count="{len(sheet.merged)}">{merges}</mergeCells>' if merges else "")
            + "</worksheet>"
        )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets>'
        + "".join(f'<sheet name="{escape(s.name)}" sheetId="{n}" r:id="rId{n}"/>' for n, s in enumerate(sheets, 1))
        + "</sheets></workbook>"
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="{rel}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        + "</Relationships>"
    )
    parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{escape(t)}</t></si>" for t in shared)
        + "</sst>"
    )
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, xml in parts.items():
            book.writestr(name, xml)
    return out.getvalue()
