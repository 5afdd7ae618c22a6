"""Parsing in worker processes (crawler/parsepool.py, pipelines/parse.py): results and parser
exceptions come back as from a call in the process; a worker that crashes or hangs on one report
fails that report alone, with its reason recorded, and the pool (and the crawl) goes on; no worker
outlives the pool or the crawl."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from crawler.items import Rejected, ReportPage, read_page
from crawler.parsepool import ParsePool, WorkerCrashed, WorkerTimeout
from tests.crawl import run_crawl
from tests.parsehooks import CRASH_ON, HANG_ON

SEED_PAGE = Path(__file__).parent / "sites" / "huaibei" / "root" / "zwgk" / "public" / "15" / "10359541.html"
HOOK = "tests.parsehooks:crash_or_hang"


def page(url: str, body: bytes | None = None) -> ReportPage:
    return ReportPage(
        spider="huaibei",
        url=url,
        canonical_url=url,
        body=SEED_PAGE.read_bytes() if body is None else body,
        headers={"Content-Type": "text/html; charset=utf-8"},
        body_name="淮北市人民政府",
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not running: its parent has not reaped it yet
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


def parse_workers_of(parent: int) -> list[int]:
    """Live `python -m crawler.parseworker PARENT` processes, wherever they were re-parented."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"crawler.parseworker" in argv and str(parent).encode() in argv and alive(int(proc.name)):
            found.append(int(proc.name))
    return found


def test_a_report_read_in_a_worker_is_the_report_read_here() -> None:
    report = page("https://www.huaibei.gov.cn/zwgk/public/15/10359541.html")
    with ParsePool(2) as pool:
        there = pool.submit("crawler.items:read_page_detached", report).result(timeout=60)
    here = read_page(report)
    assert (there.title, there.year, there.content_hash) == (here.title, here.year, here.content_hash)
    assert there.title == "淮北市人民政府2018年度政府信息公开年度报告"
    assert there.parsed.metrics == here.parsed.metrics and there.parsed.findings == here.parsed.findings
    assert there.page.body == b""  # the page's bytes are not sent back: the crawl holds them


def test_a_parser_exception_comes_back_as_itself_with_the_workers_traceback() -> None:
    with ParsePool(1) as pool:
        error = pool.submit("crawler.items:read_page_detached", page("https://x.gov.cn/a.html", b"<p>x</p>")).exception(
            timeout=60
        )
    assert isinstance(error, Rejected) and "no title" in str(error)
    assert "in parse worker" in "\n".join(error.__notes__)


def test_a_crashed_worker_fails_its_report_only_and_is_replaced(monkeypatch) -> None:
    monkeypatch.setenv(CRASH_ON, "/crash.html")
    with ParsePool(1, hook=HOOK) as pool:
        crashed = pool.submit("crawler.items:read_page_detached", page("https://x.gov.cn/crash.html"))
        after = pool.submit("crawler.items:read_page_detached", page("https://x.gov.cn/fine.html"))
        error = crashed.exception(timeout=60)
        assert isinstance(error, WorkerCrashed) and "SIGSEGV" in str(error)
        assert after.result(timeout=60).year == 2018
        assert pool.started == 2


def test_a_hung_worker_is_killed_at_the_timeout_and_replaced(monkeypatch) -> None:
    monkeypatch.setenv(HANG_ON, "/hang.html")
    with ParsePool(1, timeout=2, hook=HOOK) as pool:
        started = time.monotonic()
        hung = pool.submit("crawler.items:read_page_detached", page("https://x.gov.cn/hang.html"))
        error = hung.exception(timeout=60)
        assert isinstance(error, WorkerTimeout) and "longer than 2 s" in str(error)
        assert 2 <= time.monotonic() - started < 30
        assert pool.submit("crawler.items:read_page_detached", page("https://x.gov.cn/fine.html")).result(60).year
        assert pool.started == 2


def test_no_worker_outlives_the_pool() -> None:
    pool = ParsePool(2)
    assert [f.result(timeout=60) for f in [pool.submit("os:getpid") for _ in range(8)]]
    pids = pool.pids()
    assert len(pids) == 2 and all(alive(p) for p in pids)
    pool.close()
    assert not [p for p in pids if alive(p)] and parse_workers_of(os.getpid()) == []


@pytest.mark.e2e
def test_a_crawl_records_the_report_that_crashed_and_the_one_that_hung_and_stores_the_rest(mirror_for, tmp_path):
    mirror = mirror_for("huaibei")
    result = run_crawl(
        "huaibei",
        mirror.base_url,
        tmp_path,
        settings={"GOVREPORTS_PARSE_WORKER_HOOK": HOOK, "GOVREPORTS_PARSE_TIMEOUT": "3"},
        env={CRASH_ON: "/99000121.html", HANG_ON: "/99000141.html"},
    )
    assert result.returncode == 0, result.log[-3000:]
    # tests/test_huaibei.py: five reports, 2017 (99000141) … 2020; these two were not stored
    assert sorted((r["year"], r["canonical_url"].rsplit("/", 1)[1]) for r in result.reports()) == [
        (2018, "10359541.html"),
        (2019, "99000131.html"),
        (2020, "99000111.html"),
    ]
    failures = sorted((kind, url.rsplit("/", 1)[1], reason) for kind, url, reason in result.failures())
    assert [(kind, name) for kind, name, _ in failures] == [
        ("rejected_item", "99000121.html"),
        ("rejected_item", "99000141.html"),
    ]
    assert "parse worker died (killed by SIGSEGV)" in failures[0][2]
    assert "parse took longer than 3 s: worker killed" in failures[1][2]
    assert "parsing in 2 worker processes" in result.log or "worker processes" in result.log
