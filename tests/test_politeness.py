"""Politeness towards small government servers: robots.txt obeyed, a User-Agent that says who we
are and how to reach us, a per-portal delay under AutoThrottle (docs/operations.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from crawler.mirror.server import Mirror
from tests.conftest import SITES
from tests.crawl import REPO, run_crawl

SITE = SITES / "faults"  # the synthetic portal: robots.txt disallows /gk/nb/private/
SETTINGS = {"SPIDER_MODULES": "spiders,tests.sites.faults.spider"}
PRIVATE = "/gk/nb/private/t20230301_1005.html"  # 合成县财政局's 2022 report, linked from list page 1
PRIVATE_TITLE = "合成县财政局2022年政府信息公开工作年度报告(合成测试数据)"
PROJECT_UA = "govreports/0.1 (+https://github.com/govreports/govreports)"


@pytest.mark.e2e
def test_robots_txt_is_fetched_first_and_a_disallowed_report_is_never_asked_for(tmp_path):
    with Mirror(SITE) as mirror:
        result = run_crawl("faults", mirror.base_url, tmp_path, settings=SETTINGS)
        paths = [p for _, p in mirror.requests]
    assert result.returncode == 0, result.log[-3000:]
    assert paths[0] == "/robots.txt"
    assert PRIVATE not in paths
    assert [r["year"] for r in result.reports()] == [2019, 2020, 2021, 2022]
    assert PRIVATE_TITLE not in [r["title"] for r in result.reports()]
    assert result.failures() == []  # a page robots.txt forbids is a choice, not a failure


@pytest.mark.e2e
def test_the_disallowed_report_is_what_robots_txt_keeps_out(tmp_path):
    with Mirror(SITE) as mirror:
        result = run_crawl("faults", mirror.base_url, tmp_path, settings={**SETTINGS, "ROBOTSTXT_OBEY": "False"})
        paths = [p for _, p in mirror.requests]
    assert PRIVATE in paths and "/robots.txt" not in paths
    assert PRIVATE_TITLE in [r["title"] for r in result.reports()]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("env", "user_agent"),
    [
        ({}, PROJECT_UA),
        (
            {"GOVREPORTS_CONTACT_URL": "mailto:crawler-ops@example.org"},
            "govreports/0.1 (+mailto:crawler-ops@example.org)",
        ),
    ],
    ids=["default", "contact-url"],
)
def test_every_request_carries_the_user_agent_with_the_contact_url(tmp_path, env, user_agent):
    with Mirror(SITE) as mirror:
        result = run_crawl("faults", mirror.base_url, tmp_path, settings=SETTINGS, env=env)
        agents = {r.path: r.headers.get("User-Agent") for r in mirror.received}
    assert result.returncode == 0, result.log[-3000:]
    assert len(agents) == 9  # robots.txt, 2 lists, 4 reports, 2 PDFs
    assert set(agents.values()) == {user_agent}


# -- the delay between requests to one portal ---------------------------------------------------------

# Prints the settings Scrapy gives two spiders (a fresh process: crawler/settings.py reads the
# environment when imported): dongying has no portal_delay, "slow" has 2.5 s.
SHOW_SETTINGS = """
import json, sys
from scrapy.crawler import Crawler
from scrapy.utils.project import get_project_settings
from crawler.registry import spider_class
DongyingSpider = spider_class("dongying")

class SlowSpider(DongyingSpider):
    name = "slow"
    portal_delay = 2.5

out = {}
for cls in (DongyingSpider, SlowSpider):
    settings = get_project_settings()
    for pair in sys.argv[1:]:  # as `scrapy crawl -s KEY=VALUE` does
        key, _, value = pair.partition("=")
        settings.set(key, value, priority="cmdline")
    crawler = Crawler(cls, settings)
    out[cls.name] = [crawler.settings.getfloat("DOWNLOAD_DELAY"), crawler.settings.getbool("AUTOTHROTTLE_ENABLED")]
print(json.dumps(out))
"""


def delays(env: dict[str, str], *cmdline: str) -> dict[str, float]:
    environment = {"PATH": "/usr/bin:/bin", "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "", **env}
    done = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS, *cmdline],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout)
    assert all(autothrottle for _, autothrottle in out.values())  # AutoThrottle on, DOWNLOAD_DELAY its floor
    return {name: delay for name, (delay, _) in out.items()}


@pytest.mark.parametrize(
    ("env", "cmdline", "expected"),
    [
        ({}, (), {"dongying": 1.0, "slow": 2.5}),  # project default; the class's own delay
        ({"GOVREPORTS_DOWNLOAD_DELAY": "4"}, (), {"dongying": 4.0, "slow": 4.0}),  # global: every portal
        (
            {"GOVREPORTS_DOWNLOAD_DELAY": "4", "GOVREPORTS_DOWNLOAD_DELAY_SLOW": "0.5"},
            (),
            {"dongying": 4.0, "slow": 0.5},
        ),
        ({"GOVREPORTS_DOWNLOAD_DELAY_DONGYING": "3"}, (), {"dongying": 3.0, "slow": 2.5}),  # per spider
        ({"GOVREPORTS_DOWNLOAD_DELAY_SLOW": "0.5"}, ("DOWNLOAD_DELAY=7",), {"dongying": 7.0, "slow": 7.0}),  # -s wins
    ],
    ids=["defaults", "global-env", "spider-env-over-global", "spider-env", "command-line"],
)
def test_download_delay_most_specific_setting_wins(env, cmdline, expected):
    assert delays(env, *cmdline) == expected
