"""Resumable crawls: a crawl killed mid-way (SIGTERM: graceful; SIGKILL: nothing runs after it)
and restarted with the same job directory ends with exactly the rows of an uninterrupted crawl.

Deterministic, no timing guesses: the mirror holds back one attachment until the test lets it go,
so the crawl is killed at a known point — some reports stored, one in flight, some not reached.
The crawl's pid comes from the run marker in the job directory (crawler/middlewares/incremental.py).

dongying (tests/sites/dongying/README.md): the column lists 2021 (+ a PDF), 2019 (the seed: a .doc,
then a PDF from downfile.jsp) and 2018; 2020 is only in the xxgk module, asked once the column
is done. huaibei (tests/sites/huaibei/README.md): five reports, 2020 (99000111) with a PDF."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from crawler.mirror.server import Mirror, MirrorRequest, MirrorResponse
from crawler.storage.models import Report
from tests.conftest import SITES
from tests.crawl import run_crawl
from tests.rows import stored_rows
from tests.test_incremental import HUAIBEI_LISTS, HUAIBEI_PDF, requests_since
from tests.test_parse_pool import parse_workers_of

WAIT = 60  # seconds: the most any step may take before the test fails
SEED_PDF = "/module/download/downfile.jsp"  # the 2019 seed's second attachment


class HoldingMirror(Mirror):
    """A mirror that holds requests to one path until `release()` (or WAIT seconds)."""

    def __init__(self, site: Path, hold: str) -> None:
        super().__init__(site)
        self.hold = hold
        self.arrived = threading.Event()
        self.released = threading.Event()

    def respond(self, request: MirrorRequest) -> MirrorResponse:
        response = super().respond(request)  # logged in mirror.requests when it arrives
        if request.path == self.hold and not self.released.is_set():
            self.arrived.set()
            self.released.wait(WAIT)
        return response

    def release(self) -> None:
        self.released.set()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def database(tmp: Path) -> str:
    return f"sqlite:///{tmp}/govreports.db"


def scalar(url: str, query) -> object:  # noqa: ANN001
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            return s.scalar(query)
    except Exception:  # noqa: BLE001 - not created yet, or locked by the crawl for a moment
        return None
    finally:
        engine.dispose()


def years(url: str) -> set[int]:
    engine = create_engine(url)
    with Session(engine) as s:
        found = set(s.scalars(select(Report.report_year)))
    engine.dispose()
    return found


def kill_when(
    job: Path, spider: str, ready: Callable[[], bool], signum: int, mirror: HoldingMirror
) -> tuple[int, list[int]]:
    """Kill the crawl once `ready`; its pid and the pids of its parse workers at that moment."""
    wait_until(ready, "the crawl to reach the kill point")
    pid = json.loads((job / f"{spider}.run.json").read_text("utf-8"))["pid"]
    workers = parse_workers_of(pid)
    os.kill(pid, signum)
    if signum == signal.SIGTERM:
        mirror.release()  # a graceful stop lets the request in flight finish
    return pid, workers


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("signum", "stored_at_kill"),
    [
        (signal.SIGKILL, {2018, 2021}),  # 2019 was in flight: lost with the process
        (signal.SIGTERM, {2018, 2019, 2021}),  # 2019's held PDF finished during the graceful stop
    ],
)
def test_a_killed_crawl_restarted_with_its_job_dir_ends_with_the_rows_of_an_uninterrupted_one(
    signum, stored_at_kill, tmp_path
):
    mirror = HoldingMirror(SITES / "dongying", hold=SEED_PDF).start()
    crawl, clean, job = tmp_path / "crawl", tmp_path / "clean", tmp_path / "job"
    crawl.mkdir()
    clean.mkdir()
    settings = {"GOVREPORTS_JOB_DIR": str(job), "GOVREPORTS_BATCH_SIZE": "1"}  # one report per transaction
    url = database(crawl)
    try:
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(run_crawl, "dongying", mirror.base_url, crawl, settings=settings)
            stored_two = lambda: mirror.arrived.is_set() and scalar(url, select(func.count()).select_from(Report)) == 2  # noqa: E731
            pid, workers = kill_when(job, "dongying", stored_two, signum, mirror)
            killed = running.result(timeout=WAIT * 2)
        mirror.release()
        assert killed.returncode != 0
        # its parse workers went with it (tests/test_parse_pool.py), even after SIGKILL
        assert workers, "the crawl had parsed two reports in its workers"
        wait_until(lambda: parse_workers_of(pid) == [], "the killed crawl's parse workers to exit")
        assert years(url) == stored_at_kill
        assert (job / "dongying.run.json").exists()  # the marker says: interrupted

        start = len(mirror.requests)
        restarted = run_crawl("dongying", mirror.base_url, crawl, settings=settings)
        assert restarted.returncode == 0, restarted.log[-3000:]
        again = [p for _, p in mirror.requests[start:]]
        uninterrupted = run_crawl("dongying", mirror.base_url, clean)
        assert uninterrupted.returncode == 0, uninterrupted.log[-3000:]
    finally:
        mirror.release()
        mirror.stop()
    assert stored_rows(url) == stored_rows(uninterrupted.database_url)
    assert not (job / "dongying.run.json").exists()
    # the restart fetched what was not stored, and nothing that was
    assert not [p for p in again if p.startswith(("/art/2019/3/29/art_164458_7018", "/art/2022/1/28/"))]  # 2018, 2021
    assert (SEED_PDF in " ".join(again)) == (2019 not in stored_at_kill)


@pytest.mark.e2e
def test_an_interrupted_refresh_resumes_as_a_refresh_and_skips_what_it_refreshed(tmp_path):
    mirror = HoldingMirror(SITES / "huaibei", hold=HUAIBEI_PDF)
    mirror.release()  # the first crawl runs free
    mirror.start()
    job = tmp_path / "job"
    settings = {"GOVREPORTS_JOB_DIR": str(job), "GOVREPORTS_BATCH_SIZE": "1"}
    url = database(tmp_path)
    try:
        first = run_crawl("huaibei", mirror.base_url, tmp_path, settings=settings)
        assert first.returncode == 0, first.log[-3000:]
        rows = stored_rows(url)
        before = scalar(url, select(func.max(Report.last_seen)))
        assert isinstance(before, datetime)
        mirror.released.clear()
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(
                run_crawl, "huaibei", mirror.base_url, tmp_path, settings=settings, args={"refresh": "1"}
            )

            def refreshed_four() -> bool:
                stamped = select(func.count()).select_from(Report).where(Report.last_seen > before)
                return mirror.arrived.is_set() and scalar(url, stamped) == 4

            kill_when(job, "huaibei", refreshed_four, signal.SIGKILL, mirror)
            assert running.result(timeout=WAIT * 2).returncode != 0
        mirror.release()
        start = len(mirror.requests)
        resumed = run_crawl("huaibei", mirror.base_url, tmp_path, settings=settings)  # no refresh=1: the marker says so
        assert resumed.returncode == 0, resumed.log[-3000:]
    finally:
        mirror.release()
        mirror.stop()
    # the four reports refreshed before the kill are not fetched again; 2020 and its PDF are
    assert requests_since(mirror, start) == sorted(
        HUAIBEI_LISTS + [("/zwgk/public/15/99000111.html", None, None, None), (HUAIBEI_PDF, None, None, None)], key=str
    )
    assert stored_rows(url) == rows
    assert not (job / "huaibei.run.json").exists()
