"""Reports as offices publish them (issue 14): a Word document with the official merged-cell
tables, and LibreOffice's PDF and MS Word 97 `.doc` exports of it, tables broken across pages
(tests/fixtures/documents/make_office_fixtures.py builds them from seeds 000 and 002).

The expected numbers are the seeds' own, as typed in tests/test_parsing_statistics.py from the
seed texts (tests/seeds/expected.toml: 东营市 2019 第二十条; 诸城市 2017 统计表 市本级 and 本行政区域).
Each file goes through `govreports parse`; the .doc and the PDF must give every value the DOCX
gives: 0 wrong, none missing.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest

from tests.crawl import REPO
from tests.libreoffice import needs_libreoffice
from tests.seednumbers import values

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"

Key = tuple[str, str | None, str | None]


def expected(seed: str) -> dict[Key, Decimal]:
    """Every table number of the seed, typed in tests/seeds/expected.toml."""
    if seed == "000":
        return {(code, None, None): v for code, v in values("000", "table").items()}
    out: dict[Key, Decimal] = {(code, "self", None): v for code, v in values("002", "self").items()}
    return out | {(code, "region", None): v for code, v in values("002", "region").items()}


def parse(name: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    cmd = [sys.executable, "-m", "crawler.cli", "parse", str(FIXTURES / name)]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def table_values(parsed: dict) -> dict[Key, Decimal]:
    out: dict[Key, Decimal] = {}
    for m in parsed["metrics"]:
        if m["source"] == "table" and m["code"]:
            key = (m["code"], m["scope"], m["applicant"])
            assert key not in out, f"{key} twice"
            out[key] = Decimal(str(m["value"]))
    return out


def compare(got: dict[Key, Decimal], want: dict[Key, Decimal]) -> tuple[dict, list, list]:
    wrong = {k: (got[k], v) for k, v in want.items() if k in got and got[k] != v}
    missing = sorted(k for k in want if k not in got)
    extra = sorted(k for k in got if k not in want)
    return wrong, missing, extra


@pytest.fixture(scope="module")
def docx_values() -> dict[str, dict[Key, Decimal]]:
    return {seed: table_values(parse(f"seed_{seed}_office.docx")) for seed in ("000", "002")}


@pytest.mark.parametrize("seed", ["000", "002"])
def test_the_docx_gives_every_number_of_the_seed(seed, docx_values):
    assert compare(docx_values[seed], expected(seed)) == ({}, [], [])


@pytest.mark.parametrize("seed", ["000", "002"])
def test_the_pdf_export_gives_every_value_the_docx_gives(seed, docx_values):
    parsed = parse(f"seed_{seed}_office.pdf")
    assert parsed["documents"][0]["extracted"] is True
    got = table_values(parsed)
    assert compare(got, docx_values[seed]) == ({}, [], [])  # 0 wrong, none missing, nothing else
    assert compare(got, expected(seed)) == ({}, [], [])
    assert [f for f in parsed["findings"] if f["rule"] in ("unmapped_label", "duplicate_metric", "blank_value")] == []


@pytest.mark.parametrize("seed", ["000", "002"])
def test_the_word_97_export_gives_every_value_the_docx_gives(seed, docx_values):
    needs_libreoffice()
    parsed = parse(f"seed_{seed}_office.doc")
    (document,) = parsed["documents"]
    assert (document["extracted"], document["note"]) == (True, "converted to DOCX by LibreOffice")
    got = table_values(parsed)
    assert compare(got, docx_values[seed]) == ({}, [], [])
    assert compare(got, expected(seed)) == ({}, [], [])


def _table_pages(name: str) -> list[list[str]]:
    """First-column texts of the ruled tables of each page that has one."""
    with pdfplumber.open(io.BytesIO((FIXTURES / name).read_bytes())) as pdf:
        pages = [[row[0] or "" for t in page.find_tables() for row in t.extract()] for page in pdf.pages]
    return [p for p in pages if p]


def test_the_pdf_fixtures_break_their_tables_across_pages_as_described():
    """What the reader is up against (make_office_fixtures.py): seed 000's 第二十条 grid continues
    on the next page with a data row, without its block's caption and header; seed 002's two
    统计表 run over several pages with the header row repeated on each, and a `- N -` page number
    in every page's footer, between a table and its continuation."""
    first, second = _table_pages("seed_000_office.pdf")
    data_rows = {
        "规章",
        "规范性文件",
        "行政许可",
        "其他对外管理服务事项",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
        "政府集中采购",
    }
    assert first[0] == "第二十条第(一)项" and second[0] in data_rows and first[-1] == "信息内容"
    pages = _table_pages("seed_002_office.pdf")
    assert len(pages) >= 4 and all(p[0] == "统 计 指 标" for p in pages)
    with pdfplumber.open(io.BytesIO((FIXTURES / "seed_002_office.pdf").read_bytes())) as pdf:
        footers = [page.extract_text().splitlines()[-1] for page in pdf.pages]
    assert footers == [f"- {n} -" for n in range(1, len(footers) + 1)]


def test_antiword_alone_would_lose_the_tables_of_the_word_97_export(monkeypatch):
    """Why LibreOffice: antiword prints seed 002's two 统计表 as lines of text, without the
    tables' scope captions: values are lost (issue 14: whole tables missing)."""
    import shutil

    from crawler.parsing import documents
    from crawler.parsing.report import SourceDocument, parse_documents

    if shutil.which("antiword") is None:
        pytest.skip("antiword not installed")
    real_which = shutil.which
    monkeypatch.setattr(documents.shutil, "which", lambda n: None if n in ("soffice", "libreoffice") else real_which(n))
    data = (FIXTURES / "seed_002_office.doc").read_bytes()
    parsed = parse_documents([SourceDocument("seed_002_office.doc", data, "application/msword", "page")])
    note = "converted to text by antiword (tables as lines of text)"
    assert parsed.extraction["seed_002_office.doc"] == (True, note)
    got = {m.key(): m.value for m in parsed.metrics if m.code and m.source == "table"}
    wrong, missing, _ = compare(got, expected("002"))
    assert len(missing) > 100


# -- spreadsheets -------------------------------------------------------------------------------------


def seed_workbooks() -> dict[str, bytes]:
    """The seeds' statistics tables as an office would keep them in Excel: seed 000's 第二十条
    blocks on one sheet (each caption merged over its 4 columns, 规章's 对外公开总数量 stored as
    the double Excel writes for it), seed 002's two tables on sheets named by their scope (the
    region sheet's text as inline strings)."""
    from tests.fixtures.documents.make_office_fixtures import ART20, seed_002_parts
    from tests.xlsxbuild import Sheet, workbook

    rows: list[list[str]] = []
    merged = []
    for caption, header, data in ART20:
        merged.append(f"A{len(rows) + 1}:D{len(rows) + 1}")
        rows += [[caption, "", "", ""], header, *data]
    stored = {"D3": "72.000000000000014"}  # 72, as a sum of doubles leaves it
    art20 = Sheet("第二十条", rows, merged, stored)
    _, tables = seed_002_parts()
    legacy = [Sheet(scope, table_rows, inline=scope == "本行政区域") for scope, table_rows in tables]
    return {"000": workbook([art20]), "002": workbook(legacy)}


@pytest.mark.parametrize("seed", ["000", "002"])
def test_a_workbook_of_the_seeds_tables_gives_every_number(seed, tmp_path):
    path = tmp_path / f"seed_{seed}_tables.xlsx"
    path.write_bytes(seed_workbooks()[seed])
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    done = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "parse", str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    wrong, missing, extra = compare(table_values(json.loads(done.stdout)), expected(seed))
    assert (wrong, missing, extra) == ({}, [], [])
