"""`govreports plot` and `govreports coverage`: the data each chart draws (typed from the seed
reports and the mirrors), the PNG and its JSON sidecar, and the CJK font for the labels."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from crawler import cli
from crawler.analysis import plots
from crawler.analysis.plots import coverage_matrix, covers, metric_series
from crawler.errors import CommandError
from crawler.storage.db import ensure_schema
from crawler.storage.models import Body, Report, ReportMetric
from tests.seednumbers import value

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 10_000  # a drawn chart, not an empty canvas


# -- plot: the series -------------------------------------------------------------------------------


def test_review_total_per_body_and_year(demo_database_url):
    data = metric_series(demo_database_url, "review.total")
    assert data.series["临沂经济技术开发区管理委员会"][2019] == value("004", "prose", "review.total")
    assert data.series["东营市人民政府"][2019] == value("000", "prose", "review.total")
    assert data.series["诸城市人民政府"] == {2017: value("002", "self", "review.total")}
    assert data.label_zh == "四、行政复议数量 / 行政复议 > 总计"
    assert data.unit == "件"


def test_scope_picks_the_table(demo_database_url):
    # seed 002: 主动公开政府信息数 of the 市本级 table and of the 本行政区域 table
    def zhucheng(**kwargs):
        return metric_series(demo_database_url, "proactive.total", bodies=["诸城市人民政府"], **kwargs).series[
            "诸城市人民政府"
        ][2017]

    own, region = value("002", "self", "proactive.total"), value("002", "region", "proactive.total")
    assert own != region
    assert zhucheng(scope="self") == own
    assert zhucheng(scope="region") == region
    assert zhucheng() == region  # as report_summary picks: region first


def test_applicant_column(demo_database_url):
    # seed 004: 共受理公民、法人或其他组织申请9件 (all applicants)
    linyi = ["临沂经济技术开发区管理委员会"]
    assert metric_series(demo_database_url, "apps.new", bodies=linyi).series[linyi[0]][2019] == 9
    assert metric_series(demo_database_url, "apps.new", bodies=linyi, applicant="natural_person").series == {}


def test_spider_and_body_choose_the_bodies(demo_database_url):
    bodies = set(metric_series(demo_database_url, "review.total", spider="linyi_etdz").series)
    assert "临沂经济技术开发区管理委员会" in bodies and "东营市人民政府" not in bodies
    two = ["东营市人民政府", "诸城市人民政府"]
    assert set(metric_series(demo_database_url, "review.total", bodies=two).series) == set(two)


def test_unknown_metric_is_a_clear_error(demo_database_url, tmp_path, capsys):
    assert cli.main(["plot", "review.totl", "--database-url", demo_database_url, "--out", str(tmp_path / "x.png")]) == 2
    assert "no metric 'review.totl'" in capsys.readouterr().err
    assert (
        cli.main(["plot", "review.total", "--database-url", demo_database_url, "--out", str(tmp_path / "x.svg")]) == 2
    )
    assert "--out must end in .png" in capsys.readouterr().err


# -- plot: the picture ------------------------------------------------------------------------------


def test_plot_writes_a_png_and_the_data_it_draws(demo_database_url, tmp_path):
    out = tmp_path / "charts" / "review.png"
    assert (
        cli.main(
            [
                "plot",
                "review.total",
                "--database-url",
                demo_database_url,
                "--spider",
                "linyi_etdz",
                "--body",
                "临沂经济技术开发区管理委员会",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert_png(out)
    drawn = json.loads(out.with_suffix(".json").read_text("utf-8"))
    assert drawn["metric"] == "review.total"
    assert drawn["label_zh"] == "四、行政复议数量 / 行政复议 > 总计"
    assert set(drawn["series"]) == {"临沂经济技术开发区管理委员会"}
    assert drawn["series"]["临沂经济技术开发区管理委员会"]["2019"] == 7  # seed 004


def test_the_font_draws_every_chinese_label(demo_database_url):
    """No tofu: the chosen font has a glyph for every character of the title, the legend (body
    names), the axis and the coverage legend."""
    font = plots.cjk_font()
    data = metric_series(demo_database_url, "review.total")
    labels = [data.label_zh, *data.series, "年度", *plots.STATUS_LABELS.values(), "年度报告覆盖"]
    assert [label for label in labels if not covers(font.fname, label)] == [], font.name


def test_no_cjk_font_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(plots, "_cjk_font_in", lambda fonts: None)
    monkeypatch.setattr("matplotlib.font_manager.findSystemFonts", lambda *a, **k: [])
    with pytest.raises(CommandError, match="fonts-wqy-zenhei"):
        plots.cjk_font()


# -- coverage -----------------------------------------------------------------------------------


def test_coverage_of_the_demo(demo_database_url):
    coverage = coverage_matrix(demo_database_url)
    assert coverage.status("诸城市人民政府", 2017) == "parsed"  # seed 002: two 统计表
    # tests/sites/dongsheng/README.md: the district's reports 2017, 2018, 2019 and 2024
    assert [coverage.status("鄂尔多斯市东胜区人民政府", y) for y in range(2019, 2025)] == [
        "parsed",
        "missing",
        "missing",
        "missing",
        "missing",
        "parsed",
    ]
    assert coverage.years[0] == 2015 and coverage.years[-1] == 2024  # 民政局 2015 … the 2024 reports


@pytest.fixture
def small_database(tmp_path) -> str:
    """One body: 2017 with a statistic, 2018 a report without any, no 2019, 2020 with one."""
    url = f"sqlite:///{tmp_path}/small.db"
    engine = ensure_schema(url)
    now = datetime(2024, 1, 1)
    with Session(engine) as session, session.begin():
        body = Body(name="测试市人民政府", portal="test")
        for year, has_statistics in [(2017, True), (2018, False), (2020, True)]:
            report = Report(
                body=body,
                report_year=year,
                title=f"测试市{year}年报告",
                url=f"http://t/{year}",
                canonical_url=f"http://t/{year}",
                content_hash=str(year),
                spider="test",
                first_seen=now,
                last_seen=now,
            )
            if has_statistics:
                report.metrics.append(
                    ReportMetric(
                        metric_code="review.total",
                        scope="",
                        applicant="",
                        value=Decimal(3),
                        unit="件",
                        raw_label="行政复议",
                        raw_value="3",
                        source="text",
                    )
                )
            session.add(report)
    engine.dispose()
    return url


def test_coverage_tells_parsed_found_and_missing(small_database):
    coverage = coverage_matrix(small_database)
    assert coverage.years == [2017, 2018, 2019, 2020]
    assert coverage.to_json()["bodies"] == {
        "测试市人民政府": {"2017": "parsed", "2018": "found", "2019": "missing", "2020": "parsed"}
    }


def test_coverage_png_with_its_data(small_database, tmp_path):
    out = tmp_path / "coverage.png"
    assert cli.main(["coverage", "--database-url", small_database, "--out", str(out)]) == 0
    assert_png(out)
    drawn = json.loads(out.with_suffix(".json").read_text("utf-8"))
    assert drawn["bodies"]["测试市人民政府"]["2018"] == "found"


def test_coverage_html_marks_each_cell(demo_database_url, tmp_path):
    out = tmp_path / "coverage.html"
    assert cli.main(["coverage", "--database-url", demo_database_url, "--out", str(out)]) == 0
    page = out.read_text("utf-8")
    assert '<td class="parsed" title="诸城市人民政府 2017: parsed"></td>' in page
    assert '<td class="missing" title="鄂尔多斯市东胜区人民政府 2020: missing"></td>' in page
