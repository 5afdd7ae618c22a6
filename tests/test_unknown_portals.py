"""Blind acceptance (issue 11 item 6): ten synthetic portals none of the spiders was written for —
two each on Hanweb JCMS, Anhui Lonsun, TRS-style and VSB, an ASP article CMS paged with 下一页/尾页
and a CMS whose lists come from a JSON endpoint — each crawled by `govreports crawl NAME
--base-url` from a registry entry holding only name, home_url, body and level
(tests/sites/unknown_portals.toml, loaded through GOVREPORTS_PORTALS).

The expected reports and distractors are each site's tests/sites/<name>/manifest.json, written by
tests/sites/unknown_build.py from the site definitions (never from a crawl). Every site has
department reports, reports reachable only on a list's page 2+, distractors (解读, 图解,
更正说明, 发布会, notices, another government's report) and reports listed twice (in two columns,
on a parent's 最新 box, under another column's URL); see each site's README.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.mirror.server import Mirror
from tests.conftest import SITES
from tests.crawl import CRAWL_TIMEOUT, REPO, CrawlResult

REGISTRY = SITES / "unknown_portals.toml"
NAMES = (
    "jiaxiang",
    "wenshang",
    "lixin",
    "guzhen",
    "ejina",
    "wuchuan",
    "yinan",
    "pingyi",
    "huantai",
    "changyi",
)
PARALLEL = 2  # crawls at once (each is a subprocess; the machine is shared)
# crawled a second time into the same database: an organ list of 50 organs, a platform settled
# late, held-back JSON lists, a generic CMS, an xxgk-module area found by discovery (remembered:
# the re-crawl asks the module's years again, those the database holds not at all)
RECRAWLED = ("lixin", "pingyi", "changyi", "huantai", "jiaxiang")


@dataclass
class Crawl:
    manifest: dict
    result: CrawlResult
    asked: list[str]  # paths (with query) the mirror was asked for, in order
    again: Crawl | None = None  # the re-crawl of an unchanged site (RECRAWLED)


def manifest(name: str) -> dict:
    return json.loads((SITES / name / "manifest.json").read_text("utf-8"))


def crawl_site(name: str, folder: Path) -> Crawl:
    """`govreports crawl NAME --base-url MIRROR` into its own database."""
    database_url = f"sqlite:///{folder}/govreports.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env |= {
        "GOVREPORTS_PORTALS": str(REGISTRY),
        "GOVREPORTS_ARCHIVE_DIR": str(folder / "archive"),
        "GOVREPORTS_DEADLETTER_DIR": str(folder / "deadletter"),
    }
    with Mirror(SITES / name) as mirror:
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", name, "--base-url", mirror.base_url]
        cmd += ["--database-url", database_url]
        for setting in ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0", "LOG_LEVEL=INFO"):
            cmd += ["-s", setting]
        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
        asked = [path for _, path in mirror.requests]
    return Crawl(manifest(name), CrawlResult(done.returncode, done.stdout + done.stderr, database_url), asked)


def crawl_twice(name: str, folder: Path) -> Crawl:
    first = crawl_site(name, folder)
    if name in RECRAWLED:
        first.again = crawl_site(name, folder)
    return first


@pytest.fixture(scope="module")
def crawls(tmp_path_factory) -> dict[str, Crawl]:
    """Every site crawled once (RECRAWLED twice), PARALLEL at a time."""
    folders = {name: tmp_path_factory.mktemp(name) for name in NAMES}
    with ThreadPoolExecutor(PARALLEL) as pool:
        futures = {name: pool.submit(crawl_twice, name, folders[name]) for name in NAMES}
        return {name: future.result() for name, future in futures.items()}


def path_of(url: str, home: str) -> str:
    assert url.startswith(home + "/"), f"{url} is not on {home}"
    return url[len(home) :]


def test_the_registry_entries_hold_only_the_four_keys():
    import tomllib

    entries = tomllib.loads(REGISTRY.read_text("utf-8"))["portal"]
    assert [e["name"] for e in entries] == list(NAMES)
    for entry in entries:
        assert set(entry) == {"name", "home_url", "body", "level"}
        site = manifest(entry["name"])
        assert (entry["home_url"], entry["body"], entry["level"]) == (site["home_url"], site["body"], site["level"])


def test_every_page_is_marked_synthetic():
    for name in NAMES:
        site = manifest(name)
        encoding = "gb18030" if name == "huantai" else "utf-8"
        for page in (SITES / name / "root").rglob("*"):
            if page.is_file() and page.suffix != ".json":
                assert "合成测试数据" in page.read_bytes().decode(encoding), page
        assert all(r["title"].endswith("(合成测试数据)") for r in site["reports"]), name


@pytest.mark.e2e
@pytest.mark.parametrize("name", NAMES)
def test_every_report_no_distractor_no_duplicate(crawls, name):
    crawl = crawls[name]
    site, result = crawl.manifest, crawl.result
    assert result.returncode == 0, result.log[-4000:]
    stored = result.reports()
    got = sorted(
        (path_of(r["canonical_url"], site["home_url"]), r["title"], r["body"], r["body_level"], r["parent"], r["year"])
        for r in stored
    )
    expected = sorted((r["path"], r["title"], r["body"], r["level"], r["parent"], r["year"]) for r in site["reports"])
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    assert not missing and not extra, f"{name}: {len(got)} of {len(expected)}; missing {missing}; extra {extra}"
    assert len(got) == len(set(got)), "a report stored twice"
    # publish dates as the pages show them
    published = {path_of(r["canonical_url"], site["home_url"]): r["published_at"] for r in stored}
    assert published == {r["path"]: r["published"] for r in site["reports"]}
    # each report page fetched once, whichever lists name it; another URL of it never
    fetched = Counter(crawl.asked)
    assert {r["path"]: fetched[r["path"]] for r in site["reports"]} == {r["path"]: 1 for r in site["reports"]}
    assert not {a["path"] for a in site["aliases"]} & set(crawl.asked)
    # distractors: never stored, never even fetched (their list titles say what they are)
    distractors = {d["path"] for d in site["distractors"]}
    assert not distractors & {g[0] for g in got}
    assert not distractors & set(crawl.asked), sorted(distractors & set(crawl.asked))


@pytest.mark.e2e
@pytest.mark.parametrize("name", NAMES)
def test_the_detected_platform_is_recorded_with_the_run(crawls, name):
    crawl = crawls[name]
    runs = crawl.result.runs()  # the first run's (a RECRAWLED site's database holds its re-crawl too)
    assert len(runs) == (2 if name in RECRAWLED else 1)
    assert runs[0].outcome == "ok", (runs[0].outcome, runs[0].exit_reason)
    record = json.loads(runs[0].stats["govreports/discovery"])
    assert record["platform"] == crawl.manifest["platform"]
    assert record["detected"]["platform"] == crawl.manifest["platform"]
    assert record["detected"]["evidence"], "detection without evidence"
    assert record["discovery"]["ran"] is True  # nothing hinted: the lists were found from the home page
    assert [c for c in record["columns"] if c["reports"]], "no column listing reports recorded"


@pytest.mark.e2e
@pytest.mark.parametrize("name", RECRAWLED)
def test_a_recrawl_of_the_unchanged_site_reads_the_remembered_lists_only(crawls, name):
    crawl = crawls[name]
    again = crawl.again
    assert again is not None and again.result.returncode == 0, again.result.log[-3000:] if again else ""
    run = again.result.runs()[-1]
    record = json.loads(run.stats["govreports/discovery"])
    assert run.outcome == "ok" and run.reports_unchanged == len(crawl.manifest["reports"])
    assert record["discovery"]["ran"] is False and record["discovery_requests"] == 0
    assert record["platform"] == crawl.manifest["platform"]
    # no home page, no catalogue, no report page: the remembered columns' list pages (and robots.txt)
    reports = {r["path"] for r in crawl.manifest["reports"]}
    # an xxgk module's years are its list and its reports in one: every year is asked again
    module = {p for p in again.asked if "xxgkAnnualReport.jsp" in p}
    assert module == {p for p in crawl.asked if "xxgkAnnualReport.jsp" in p}
    assert "/" not in again.asked and not (reports - module) & set(again.asked)
    lists = [p for p in again.asked if p not in module]
    assert len(lists) < len([p for p in crawl.asked if "xxgkAnnualReport.jsp" not in p]) / 2, again.asked
