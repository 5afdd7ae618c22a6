"""`govreports reparse`: statistics rebuilt from the raw archive with the current parser, no
network (the mirror is stopped before reparsing), not a new version; a missing archive entry
leaves its report as it was and says so.

Fixture: the huaibei mirror (tests/sites/huaibei/README.md): five reports, the 2020 one with a
PDF attachment."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session

from crawler import cli
from crawler.mirror.server import Mirror
from crawler.parsing.model import Finding
from crawler.storage.models import Document, Report, ReportMetric, ValidationFinding
from tests.conftest import SITES
from tests.crawl import run_crawl
from tests.rows import stored_rows

T2019 = "淮北市人民政府2019年政府信息公开工作年度报告【合成测试数据】"
T2020 = "淮北市人民政府2020年政府信息公开工作年度报告【合成测试数据】"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One huaibei crawl; each test works on its own copy of the database and archive."""
    tmp = tmp_path_factory.mktemp("crawl")
    with Mirror(SITES / "huaibei") as mirror:
        result = run_crawl("huaibei", mirror.base_url, tmp)
    assert result.returncode == 0, result.log[-3000:]
    return tmp


@pytest.fixture
def copy(crawled, tmp_path):
    shutil.copy(crawled / "govreports.db", tmp_path / "govreports.db")
    shutil.copytree(crawled / "archive", tmp_path / "archive")
    return tmp_path, f"sqlite:///{tmp_path}/govreports.db"


def tamper(url: str, title: str) -> tuple[int, int]:
    """What an older parser would have left: none of the report's metrics, a stray finding.
    Returns (metrics deleted, findings added)."""
    with Session(create_engine(url)) as s, s.begin():
        report = s.scalars(select(Report).where(Report.title == title)).one()
        deleted = s.connection().execute(delete(ReportMetric).where(ReportMetric.report_id == report.id)).rowcount
        s.add(ValidationFinding(report_id=report.id, rule="old_parser", severity="warning", detail="stale"))
    return deleted, 1


def reparse(capsys, *args: str) -> tuple[int, str]:
    status = cli.main(["reparse", *args])
    return status, capsys.readouterr().out


def test_reparse_restores_what_the_current_parser_reads(copy, capsys):
    tmp, url = copy
    crawl = stored_rows(url)
    deleted, added = tamper(url, T2019)
    assert deleted >= 2  # the 2019 page states 1019 条 and 19 件 (proactive.total, apps.new)
    total = len(crawl["report_metrics"])
    status, out = reparse(capsys, "--database-url", url, "--archive-dir", str(tmp / "archive"))
    assert status == 0, out
    assert "reparsed 5 reports" in out
    assert f"metrics: {total - deleted} before, {total} after" in out
    assert (
        f"findings: {len(crawl['validation_findings']) + added} before, {len(crawl['validation_findings'])} after"
        in out
    )
    assert "archive entry missing: 0 reports" in out
    assert stored_rows(url) == crawl  # same rows, same version 1, no report_versions


def test_reparse_uses_the_current_parser(copy, capsys, monkeypatch):
    """A parser that now finds something more: every report gets it, as a reparse should."""
    from crawler.analysis import reparse as module

    def newer(docs, **kw):
        parsed = real(docs, **kw)
        parsed.findings.append(Finding("new_rule", "info", f"{len(docs)} documents"))
        return parsed

    real = module.parse_documents
    monkeypatch.setattr(module, "parse_documents", newer)
    tmp, url = copy
    # the patched parser lives in this process only: parse here, not in worker processes
    args = ("--archive-dir", str(tmp / "archive"), "--spider", "huaibei", "--workers", "0")
    status, out = reparse(capsys, "--database-url", url, *args)
    assert status == 0, out
    with Session(create_engine(url)) as s:
        got = sorted(
            s.execute(
                select(Report.title, ValidationFinding.detail).join(Report).where(ValidationFinding.rule == "new_rule")
            ).all()
        )
    # the 2020 report was parsed from its page and its PDF; the others from their page
    assert [(t, d) for t, d in got if t == T2020] == [(T2020, "2 documents")]
    assert len(got) == 5 and {d for t, d in got if t != T2020} == {"1 documents"}


def test_a_missing_archive_entry_leaves_its_report_as_it_was(copy, capsys):
    tmp, url = copy
    with Session(create_engine(url)) as s:
        pdf = s.scalar(select(Document).join(Report).where(Report.title == T2020, Document.role == "attachment"))
        sha = pdf.sha256
    (tmp / "archive" / pdf.storage_path).unlink()
    tamper(url, T2020)
    before = stored_rows(url)
    status, out = reparse(capsys, "--database-url", url, "--archive-dir", str(tmp / "archive"))
    assert status == 1
    assert "reparsed 4 reports" in out
    assert "archive entry missing: 1 reports" in out
    assert T2020 in out and sha in out
    after = stored_rows(url)
    for table in ("report_metrics", "validation_findings"):  # nothing lost: the 2020 rows stay as they were
        assert [r for r in after[table] if r[2] == T2020] == [r for r in before[table] if r[2] == T2020]


def test_only_one_spiders_reports_with_spider(copy, capsys):
    tmp, url = copy
    status, out = reparse(capsys, "--database-url", url, "--archive-dir", str(tmp / "archive"), "--spider", "dongying")
    assert status == 0 and "reparsed 0 reports of dongying" in out


def test_no_archive_is_a_usage_error(tmp_path, capsys):
    status = cli.main(
        ["reparse", "--database-url", f"sqlite:///{tmp_path}/x.db", "--archive-dir", str(tmp_path / "none")]
    )
    assert status == 2
    assert "no archive at" in capsys.readouterr().err
