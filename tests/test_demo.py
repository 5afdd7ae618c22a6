"""`govreports demo`: every spider crawls its mirror; a second run changes nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings

from tests.crawl import REPO, CrawlResult

pytestmark = pytest.mark.e2e

# The seed report each portal's mirror holds: (body, report year), from tests/seeds/README.md.
SEED_REPORT_OF = {
    "dongying": ("东营市人民政府", 2019),
    "huaibei": ("淮北市人民政府", 2018),
    "zhucheng": ("诸城市人民政府", 2017),
    "dongsheng": ("鄂尔多斯市东胜区人民政府", 2017),
    "linyi_etdz": ("临沂经济技术开发区管理委员会", 2019),
}


def run_demo(tmp_path):
    url = f"sqlite:///{tmp_path}/demo.db"
    cmd = [
        sys.executable,
        "-m",
        "crawler.cli",
        "demo",
        "--database-url",
        url,
        "--archive-dir",
        str(tmp_path / "archive"),
    ]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    return done, CrawlResult(done.returncode, done.stdout + done.stderr, url)


def test_demo_crawls_every_mirror_and_a_second_run_changes_nothing(tmp_path):
    spiders = [
        n for n in get_spider_loader(get_project_settings()).list() if (REPO / "tests/sites" / n / "root").is_dir()
    ]
    assert spiders, "no spider has a mirror"
    done, result = run_demo(tmp_path)
    assert done.returncode == 0, result.log[-3000:]
    stored = {(r["body"], r["year"]) for r in result.reports()}
    for spider in spiders:
        assert f"{spider}: mirror at http://127.0.0.1:" in done.stdout
        assert SEED_REPORT_OF[spider] in stored, spider
    first = result.counts()
    assert f"{first['reports']} reports, {first['report_metrics']} metrics" in done.stdout  # the summary line

    done2, result2 = run_demo(tmp_path)
    assert done2.returncode == 0, result2.log[-3000:]
    second = result2.counts()
    assert second.pop("crawl_runs") == 2 * first.pop("crawl_runs")
    assert second == first
