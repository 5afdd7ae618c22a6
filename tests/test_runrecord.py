from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.extensions.runrecord import exit_reason
from crawler.storage import db, runs
from crawler.storage.models import CrawlFailure, CrawlRun
from tests.conftest import SITES
from tests.crawl import run_crawl
from tests.test_incremental import HUAIBEI_PDF
from tests.test_resume import WAIT, HoldingMirror, kill_when


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        ({"govreports/outcome": "ok", "finish_reason": "finished"}, None),
        ({"govreports/outcome": "empty", "govreports/exit_reason": "found no report at all"}, "found no report at all"),
        ({"govreports/outcome": "failed", "govreports/exit_reason": "failure rate 43%"}, "failure rate 43%"),
        ({"finish_reason": "finished"}, None),  # pipelines disabled: nothing judged, it finished
        ({"finish_reason": "shutdown"}, "crawl ended with shutdown"),
    ],
)
def test_exit_reason(stats, expected):
    assert exit_reason(stats) == expected


# -- killed runs (crawler/storage/runs.py, closed by the next crawl's RunRecord) -----------------


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_running_rows_whose_crawl_is_gone_are_closed_as_killed_and_the_others_left(tmp_path):
    sessions = db.session_factory(db.ensure_schema(f"sqlite:///{tmp_path}/runs.db"))
    now = datetime(2026, 5, 1, 12, 0)
    me = runs.this_process()
    assert me["host"] == socket.gethostname() and me["pid"] == os.getpid()
    rows = {
        "gone": ({"host": "here", "pid": dead_pid(), "process_start": 1}, now - timedelta(minutes=5)),
        "alive": ({"host": "here", "pid": os.getpid(), "process_start": me["process_start"]}, now),
        "pid reused": ({"host": "here", "pid": os.getpid(), "process_start": -1}, now - timedelta(minutes=5)),
        "elsewhere, young": ({"host": "there", "pid": 1}, now - timedelta(hours=47)),
        "elsewhere, old": ({"host": "there", "pid": 1}, now - timedelta(hours=49)),
        "no owner, old": (None, now - timedelta(hours=49)),
        "finished": ({"host": "here", "pid": dead_pid()}, now - timedelta(hours=1)),
    }
    ids = {}
    with sessions.begin() as session:
        for name, (owner, started) in rows.items():
            run = CrawlRun(
                spider=name.replace(" ", "_").replace(",", ""),
                started_at=started,
                outcome="ok" if name == "finished" else "running",
                stats={runs.OWNER_STAT: owner} if owner else None,
            )
            session.add(run)
            session.flush()
            ids[name] = run.id
        session.add(CrawlFailure(run_id=ids["gone"], url="http://x/a", kind="download", reason="boom", at=now))
    closed = runs.close_killed_runs(sessions, host="here", max_age=timedelta(hours=48), now=now)
    assert sorted(run_id for run_id, _, _ in closed) == sorted(
        ids[n] for n in ("gone", "pid reused", "elsewhere, old", "no owner, old")
    )
    with sessions() as session:
        found = {name: session.get(CrawlRun, run_id) for name, run_id in ids.items()}
    gone = found["gone"]
    pid = rows["gone"][0]["pid"]
    assert (gone.outcome, gone.finish_reason, gone.finished_at, gone.failures_count) == ("killed", "killed", None, 1)
    assert gone.exit_reason == (
        f"the crawl was killed: its process {pid} on here is gone; closed at 2026-05-01 12:00 UTC by a later run"
    )
    assert "more than 48 hours ago" in found["elsewhere, old"].exit_reason
    assert "by an unknown process" in found["no owner, old"].exit_reason
    assert {n: r.outcome for n, r in found.items() if r.outcome != "killed"} == {
        "alive": "running",
        "elsewhere, young": "running",
        "finished": "ok",
    }


@pytest.mark.e2e
def test_a_crawl_killed_by_sigkill_is_closed_as_killed_by_the_next_crawl(tmp_path):
    mirror = HoldingMirror(SITES / "huaibei", hold=HUAIBEI_PDF).start()
    job = tmp_path / "job"
    settings = {"GOVREPORTS_JOB_DIR": str(job), "GOVREPORTS_BATCH_SIZE": "1"}
    url = f"sqlite:///{tmp_path}/govreports.db"
    try:
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(run_crawl, "huaibei", mirror.base_url, tmp_path, settings=settings)
            pid, _ = kill_when(job, "huaibei", mirror.arrived.is_set, signal.SIGKILL, mirror)
            assert running.result(timeout=WAIT * 2).returncode == -signal.SIGKILL
        (left,) = crawl_runs(url)  # nothing ran after the kill: the row says running
        assert left.outcome == "running" and left.finished_at is None
        assert left.stats is not None
        assert left.stats[runs.OWNER_STAT]["pid"] == pid
        assert left.stats[runs.OWNER_STAT]["host"] == socket.gethostname()
        mirror.release()
        second = run_crawl("huaibei", mirror.base_url, tmp_path, settings=settings)
    finally:
        mirror.release()
        mirror.stop()
    assert second.returncode == 0, second.log[-3000:]
    killed, after = crawl_runs(url)
    assert killed.id == left.id
    assert (killed.outcome, killed.finish_reason, killed.finished_at) == ("killed", "killed", None)
    assert f"its process {pid} on {socket.gethostname()} is gone" in (killed.exit_reason or "")
    assert f"crawl run {killed.id} of huaibei closed as killed" in second.log
    assert (after.outcome, after.finish_reason) == ("ok", "finished")
    assert after.stats is not None and after.stats[runs.OWNER_STAT]["pid"] != pid


def crawl_runs(url: str) -> list[CrawlRun]:
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            return list(s.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    finally:
        engine.dispose()
