"""`govreports serve`: Datasette on the demo database, with the metric dictionary as labels and
the analysts' canned queries. Expected numbers are typed from the seed reports and the mirrors'
READMEs; one test runs the real server on 127.0.0.1 and asks it over HTTP."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler import cli
from crawler.analysis.serve import metadata
from crawler.parsing.model import MetricValue
from crawler.parsing.rules import RULE_IDS, check_rules
from crawler.storage.db import make_engine
from crawler.storage.models import Body, Report, ValidationFinding
from tests.crawl import REPO

# Seed 002 (诸城 2017), 统计表 三、(三)申请答复数 88: the 市本级 and the 本行政区域 tables print the
# same eight answers.
ZHUCHENG_2017_ANSWERS = {
    "applications.answer.already_public": 18,
    "applications.answer.granted": 21,
    "applications.answer.partially_granted": 0,
    "applications.answer.refused": 3,
    "applications.answer.not_this_agency": 19,
    "applications.answer.not_exist": 25,
    "applications.answer.clarification_requested": 2,
    "applications.answer.other_channel": 0,
}


def sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def run_canned(url: str, name: str, **params: str) -> list[dict]:
    """Run a canned query's SQL as Datasette does (a missing named parameter is '')."""
    sql = metadata("any")["databases"]["any"]["queries"][name]["sql"]
    with sqlite3.connect(sqlite_file(url)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, {"body": "", **params})]


# -- metadata -------------------------------------------------------------------------------------


def test_metadata_labels_metric_codes_with_the_dictionary_and_describes_the_views():
    database = metadata("demo")["databases"]["demo"]
    assert database["tables"]["metric_definitions"]["label_column"] == "label_zh"
    summary_columns = database["tables"]["report_summary"]["columns"]
    assert summary_columns["review_total"].startswith("行政复议")  # from crawler/storage/views.py
    assert set(database["queries"]) == {"applications_by_outcome", "consistency_failures", "missing_years"}
    for query in database["queries"].values():
        assert query["title"] and query["description"] and query["sql"]


# -- canned queries ---------------------------------------------------------------------------------


def test_applications_by_outcome_gives_the_answers_of_seed_002(demo_database_url):
    rows = run_canned(demo_database_url, "applications_by_outcome", body="诸城市人民政府")
    legacy_answers = {
        (row["outcome"], row["scope"]): row["value"]
        for row in rows
        if row["year"] == 2017 and row["outcome"].count(".") == 2  # not the refused.* breakdown
    }
    assert legacy_answers == {
        (code, scope): value for code, value in ZHUCHENG_2017_ANSWERS.items() for scope in ("self", "region")
    }
    assert {row["body"] for row in rows} == {"诸城市人民政府"}
    by_code = {row["outcome"]: row["label_zh"] for row in rows}
    assert by_code["applications.answer.granted"] == "2.同意公开答复数"


def test_applications_by_outcome_without_a_body_covers_every_body(demo_database_url):
    rows = run_canned(demo_database_url, "applications_by_outcome")
    assert {"诸城市人民政府", "东营市人民政府"} <= {row["body"] for row in rows}
    assert all(row["outcome"].startswith(("applications.answer.", "apps.result.")) for row in rows)


def test_missing_years_are_the_gaps_between_a_bodys_first_and_last_report(demo_database_url):
    rows = run_canned(demo_database_url, "missing_years")
    gaps: dict[str, list[int]] = {}
    for row in rows:
        gaps.setdefault(row["body"], []).append(row["missing_year"])
    # tests/sites/dongsheng/README.md: the district's reports 2017, 2018, 2019, 2024; 民政局 2015, 2021
    assert gaps["鄂尔多斯市东胜区人民政府"] == [2020, 2021, 2022, 2023]
    assert gaps["鄂尔多斯市东胜区民政局"] == [2016, 2017, 2018, 2019, 2020]
    # the dongying mirror has 2018–2021 and linyi_etdz's zone 2018–2023: no gap
    assert "东营市人民政府" not in gaps
    assert "临沂经济技术开发区管理委员会" not in gaps


def test_consistency_failures_list_broken_rules_not_parsing_problems(demo_database_url, tmp_path):
    url = f"sqlite:///{tmp_path}/copy.db"
    shutil.copy(sqlite_file(demo_database_url), sqlite_file(url))
    # 四、行政复议数量 3 but 2 + 0 + 0 in its parts: what the legacy rule reports
    broken = [
        MetricValue(code, Decimal(value), "件", code, str(value), scope="self")
        for code, value in [("review.total", 3), ("review.upheld", 2), ("review.corrected", 0), ("review.other", 0)]
    ]
    (finding,) = check_rules(broken, "legacy")
    engine = make_engine(url)
    with Session(engine) as session, session.begin():

        def report_of(body: str, year: int) -> Report:
            return session.scalars(select(Report).join(Body).where(Body.name == body, Report.report_year == year)).one()

        session.add(
            ValidationFinding(
                report=report_of("诸城市人民政府", 2017),
                rule=finding.rule,
                severity=finding.severity,
                metric_code=finding.code,
                detail=finding.detail,
            )
        )
        session.add(
            ValidationFinding(
                report=report_of("东营市人民政府", 2019),
                rule="unmapped_label",
                severity="warning",
                detail="page table 1 row 3: no code for label 'x'",
            )
        )
    engine.dispose()

    rows = run_canned(url, "consistency_failures")
    assert [(r["body"], r["year"], r["rule"], r["code"], r["detail"]) for r in rows] == [
        ("诸城市人民政府", 2017, finding.rule, "review.total", finding.detail)
    ]
    assert "3" in finding.detail and "2" in finding.detail  # the numbers travel with the finding


def test_consistency_rule_ids_are_the_rules_own():
    """The canned query lists crawler.parsing.rules.RULE_IDS: every id a rule emits is there,
    and parsing findings (unmapped_label …) are not."""
    legacy = [
        MetricValue(code, Decimal(value), "人", code, str(value), scope="self")
        for code, value in [("org.staff", 5), ("org.staff.full_time", 1), ("org.staff.part_time", 1)]
    ]
    gov2019 = [
        MetricValue(code, Decimal(value), "件", code, str(value), applicant="total")
        for code, value in [("apps.new", 5), ("apps.carried_in", 0), ("apps.result.total", 1), ("apps.carried_out", 0)]
    ]
    rules = {f.rule for f in check_rules(legacy, "legacy") + check_rules(gov2019, "gov2019")}
    assert rules and rules <= set(RULE_IDS)
    sql = metadata("demo")["databases"]["demo"]["queries"]["consistency_failures"]["sql"]
    assert all(f"'{rule}'" in sql for rule in RULE_IDS) and "unmapped_label" not in sql


# -- the command ----------------------------------------------------------------------------------


def test_serve_refuses_postgresql_and_suggests_export(capsys):
    assert cli.main(["serve", "--database-url", "postgresql+psycopg://analyst@localhost/govreports"]) == 2
    err = capsys.readouterr().err
    assert "SQLite" in err and "govreports export" in err


def test_serve_says_how_to_install_datasette(demo_database_url, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "datasette", None)  # `import datasette` fails as when not installed
    assert cli.main(["serve", "--database-url", demo_database_url]) == 1
    assert "pip install 'govreports[serve]'" in capsys.readouterr().err


def test_serve_needs_an_existing_database_file(tmp_path, capsys):
    assert cli.main(["serve", "--database-url", f"sqlite:///{tmp_path}/none.db"]) == 1
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_datasette_answers_a_canned_query_over_http(demo_database_url):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "crawler.cli", "serve", "--database-url", demo_database_url, "--port", str(port)]
    server = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get_json(f"{base}/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"Datasette did not start:\n{server.communicate()[0][-3000:]}")
                time.sleep(0.2)
        query = urllib.parse.urlencode({"body": "诸城市人民政府", "_shape": "array"})
        rows = get_json(f"{base}/demo/applications_by_outcome.json?{query}")
        answers = {r["outcome"]: r["value"] for r in rows if r["year"] == 2017 and r["scope"] == "self"}
        assert {code: answers[code] for code in ZHUCHENG_2017_ANSWERS} == ZHUCHENG_2017_ANSWERS

        # the metric dictionary labels the codes of report_metrics
        query = urllib.parse.urlencode({"metric_code": "review.total", "_labels": "on", "_shape": "array", "_size": 1})
        (row,) = get_json(f"{base}/demo/report_metrics.json?{query}")
        assert row["metric_code"] == {"value": "review.total", "label": "四、行政复议数量|行政复议 > 总计"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
