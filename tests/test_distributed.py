"""The distributed crawl (crawler/distributed/): real workers (`govreports worker` processes), real
PostgreSQL (tests/pg.py), the mirrors of tests/sites on 127.0.0.1, jobs through procrastinate.

Guarantees of issue 13, each acted out:
- two workers crawling the five mirrors end with exactly the rows of a one-process crawl;
- a worker killed with SIGKILL in the middle of a portal leaves it to the other worker, which
  resumes it: no row lost, none doubled, and its crawl child went with it;
- the same portal is never crawled by two workers at once (a second job of the portal waits for
  the first; crawl_runs of one portal never overlap) nor queued twice;
- a worker that loses the database (its connections cut by a proxy) keeps what it fetched as dead
  letters and stops its crawl; the next job (the other worker's) re-applies them;
- retries: a crawl left with dead letters is retried (and the retry applies them), one that failed
  on the portal's side is not.

Kill points are deterministic: the mirror holds one attachment back until the test lets it go
(tests/test_resume.py's HoldingMirror). Workers run with a 1 s heartbeat, take over a job whose
worker was silent for 12 s, and stop their crawls after 3 s without the database
(GOVREPORTS_WORKER_* below, crawler/distributed/app.py `Settings.fence_after`).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from crawler.distributed.app import QUEUE_JOBS, conninfo, table_exists
from crawler.mirror.server import Mirror
from crawler.storage.models import CrawlRun, Report
from tests.conftest import SITES
from tests.crawl import REPO
from tests.rows import stored_rows
from tests.test_incremental import HUAIBEI_LISTS, HUAIBEI_PDF, requests_since
from tests.test_resume import SEED_PDF, HoldingMirror

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PORTALS = ["dongying", "huaibei", "zhucheng", "dongsheng", "linyi_etdz"]
WAIT = 120  # seconds: the most any step may take before the test fails
WORKER_ENV = {
    "GOVREPORTS_DOWNLOAD_DELAY": "0",
    "GOVREPORTS_AUTOTHROTTLE": "0",
    "GOVREPORTS_PARSE_WORKERS": "1",
    "GOVREPORTS_WORKER_HEARTBEAT": "1",
    "GOVREPORTS_WORKER_STALLED_AFTER": "12",
    "GOVREPORTS_WORKER_RECOVERY_EVERY": "1",
    "GOVREPORTS_WORKER_RECONNECT_WAIT": "1",
    "GOVREPORTS_CRAWL_STOP_GRACE": "4",
    "GOVREPORTS_CRAWL_RETRY_WAIT": "0",
    "GOVREPORTS_NIGHTLY_CRON": "",
}


# -- set-up -------------------------------------------------------------------------------------


@pytest.fixture
def pg_url(postgres) -> str:
    if postgres is None:
        pytest.skip("no PostgreSQL server on this machine (install postgresql or set GOVREPORTS_TEST_PG_URL)")
    url = postgres.database()
    engine = create_engine(url)
    with engine.begin() as conn:  # an external server keeps schemas between tests
        conn.execute(text("DROP SCHEMA IF EXISTS procrastinate CASCADE"))
    engine.dispose()
    return url


def env_for(tmp: Path, url: str, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    return {
        **base,
        **WORKER_ENV,
        "GOVREPORTS_DATABASE_URL": url,
        "GOVREPORTS_ARCHIVE_DIR": str(tmp / "archive"),
        "GOVREPORTS_JOB_ROOT": str(tmp / "jobs"),
        **extra,
    }


def govreports(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=WAIT
    )


class Worker:
    """A `govreports worker` process, its log in a file."""

    def __init__(self, env: dict[str, str], log: Path, concurrency: int = 1) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "worker", "--concurrency", str(concurrency)],
            cwd=REPO,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def text(self) -> str:
        return self.log.read_text("utf-8", "replace")


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    yield started
    for w in started:
        w.stop()


def wait_until(condition: Callable[[], object], what: str, logs: list[Worker] | None = None) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {w.log.name}\n{w.text()[-3000:]}" for w in logs or [])
            raise AssertionError(f"gave up waiting for {what}\n{tails}")
        time.sleep(0.2)


def jobs(url: str) -> list[tuple[int, str, str, int | None, int]]:
    """(id, portal, status, worker id, attempts) of every crawl job."""
    import psycopg

    with psycopg.connect(conninfo(url)) as conn:
        if not table_exists(conn, QUEUE_JOBS):
            return []
        return conn.execute(
            "SELECT id, args->>'portal', status::text, worker_id, attempts FROM procrastinate.procrastinate_jobs "
            "WHERE task_name = 'govreports:crawl_portal' ORDER BY id"
        ).fetchall()


def all_done(url: str, n: int) -> bool:
    found = jobs(url)
    return len(found) == n and all(status in ("succeeded", "failed") for _, _, status, _, _ in found)


def runs(url: str) -> list[CrawlRun]:
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            return list(s.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    finally:
        engine.dispose()


def report_count(url: str) -> int | None:
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            return s.scalar(select(func.count()).select_from(Report))
    except Exception:  # noqa: BLE001 - not migrated yet
        return None
    finally:
        engine.dispose()


def assert_no_overlap(url: str, killed_at: dict[int, datetime] | None = None) -> None:
    """No two crawl runs of one portal overlap in time (a killed run ends when it was killed)."""
    by_spider: dict[str, list[tuple[datetime, datetime]]] = {}
    for run in runs(url):
        end = run.finished_at or (killed_at or {}).get(run.id)
        assert end is not None, f"run {run.id} of {run.spider} never finished and was not killed"
        by_spider.setdefault(run.spider, []).append((run.started_at, end))
    for spider, spans in by_spider.items():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start, f"two crawls of {spider} overlap: one ended {end}, the next started {start}"


def one_process_crawl(url: str, tmp: Path, mirrors: dict[str, str]) -> None:
    """Every portal crawled in one process (as `govreports demo` does) into `url`."""
    script = (
        "import json, sys\n"
        "from crawler.cli import _process, _exit_status\n"
        "url, archive, mirrors = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])\n"
        "process = _process({'GOVREPORTS_DATABASE_URL': url, 'GOVREPORTS_ARCHIVE_DIR': archive,"
        " 'GOVREPORTS_JOB_DIR': '', 'DOWNLOAD_DELAY': 0, 'AUTOTHROTTLE_ENABLED': False, 'LOG_LEVEL': 'WARNING'})\n"
        "crawlers = []\n"
        "for name, base in mirrors.items():\n"
        "    crawlers.append(process.create_crawler(name)); process.crawl(crawlers[-1], base_url=base)\n"
        "process.start()\n"
        "sys.exit(_exit_status(crawlers))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env["GOVREPORTS_DEADLETTER_DIR"] = str(tmp / "deadletter")
    done = subprocess.run(
        [sys.executable, "-c", script, url, str(tmp / "archive"), json.dumps(mirrors)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]


def crawl_pid(job_root: Path, portal: str) -> int | None:
    try:
        return json.loads((job_root / portal / f"{portal}.run.json").read_text("utf-8"))["pid"]
    except (OSError, ValueError, KeyError):
        return None


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# -- two workers, five mirrors --------------------------------------------------------------------


@pytest.fixture(scope="module")
def mirrors() -> Iterator[dict[str, str]]:
    started = {name: Mirror(SITES / name).start() for name in PORTALS}
    yield {name: m.base_url for name, m in started.items()}
    for m in started.values():
        m.stop()


def test_two_workers_crawl_the_five_mirrors_into_the_rows_of_one_process(mirrors, pg_url, tmp_path, workers):
    reference = f"sqlite:///{tmp_path}/one/govreports.db"  # rows compare across backends (tests/rows.py)
    one_process_crawl(reference, tmp_path / "one", mirrors)
    expected = stored_rows(reference)
    assert {r[11] for r in expected["reports"]} == set(PORTALS)  # every portal stored reports

    env = env_for(tmp_path, pg_url)
    (tmp_path / "map.toml").write_text("".join(f'{n} = "{u}"\n' for n, u in mirrors.items()), "utf-8")
    workers += [Worker(env, tmp_path / "a.log"), Worker(env, tmp_path / "b.log")]
    queued = govreports(env, "enqueue", "--all", "--base-url-map", str(tmp_path / "map.toml"))
    assert queued.returncode == 0, queued.stderr
    assert "5 portals queued, 0 already queued or running" in queued.stdout
    again = govreports(env, "enqueue", "dongying", "huaibei", "--base-url-map", str(tmp_path / "map.toml"))
    assert again.returncode == 0, again.stderr
    # queued (or already running): not queued a second time
    assert "0 portals queued, 2 already queued or running" in again.stdout

    wait_until(lambda: all_done(pg_url, 5), "the five crawl jobs", workers)
    found = jobs(pg_url)
    assert sorted(lock for _, lock, _, _, _ in found) == sorted(PORTALS)
    assert {status for _, _, status, _, _ in found} == {"succeeded"}, found
    assert len({worker for _, _, _, worker, _ in found}) == 2, found  # both workers crawled
    assert stored_rows(pg_url) == expected
    assert sorted((r.spider, r.outcome) for r in runs(pg_url)) == sorted((p, "ok") for p in PORTALS)
    assert_no_overlap(pg_url)

    status = govreports(env, "status")
    assert status.returncode == 0, status.stderr
    for portal in PORTALS:
        (line,) = [ln for ln in status.stdout.splitlines() if ln.startswith(portal + " ")]
        assert "succeeded" in line and " ok " in line, line
    assert "0 portals queued, 0 running, 2 workers alive" in status.stdout


def test_the_nightly_periodic_task_queues_every_portal_once(mirrors, pg_url, tmp_path, workers):
    (tmp_path / "map.toml").write_text("".join(f'{n} = "{u}"\n' for n, u in mirrors.items()), "utf-8")
    # every second tick of the clock (a 6th cron field counts seconds), from a worker on the mirrors
    env = env_for(
        tmp_path,
        pg_url,
        GOVREPORTS_NIGHTLY_CRON="* * * * * */2",
        GOVREPORTS_NIGHTLY_BASE_URL_MAP=str(tmp_path / "map.toml"),
    )
    # two slots: a tick's job (it runs in a crawl slot, first when one frees) need not wait for every crawl
    workers.append(Worker(env, tmp_path / "w.log", concurrency=2))
    wait_until(lambda: len(jobs(pg_url)) >= 5, "the nightly task to queue the portals", workers)
    assert sorted(p for _, p, _, _, _ in jobs(pg_url)[:5]) == sorted(PORTALS)  # one tick: each portal once
    # later ticks: a portal waiting or running is never queued again (one that finished may be)
    for _ in range(25):
        pending = [p for _, p, status, _, _ in jobs(pg_url) if status in ("todo", "doing")]
        assert len(pending) == len(set(pending)), pending
        time.sleep(0.2)
    workers[0].stop()
    import psycopg

    with psycopg.connect(conninfo(pg_url)) as conn:
        args = set(
            conn.execute(
                "SELECT args->>'portal', args->>'base_url' FROM procrastinate.procrastinate_jobs "
                "WHERE task_name = 'govreports:crawl_portal'"
            ).fetchall()
        )
        ticks = conn.execute(
            "SELECT count(*) FROM procrastinate.procrastinate_jobs WHERE task_name = 'govreports:nightly' "
            "AND status = 'succeeded'"
        ).fetchone()
    assert args == set(mirrors.items())  # every job crawls the portal's mirror
    assert ticks and ticks[0] >= 1
    assert "nightly run at " in workers[0].text() and "5 portals queued" in workers[0].text()


# -- a worker killed in the middle of a portal ------------------------------------------------------


def defer_second_job(url: str, base_url: str) -> int:
    """A second job of dongying deferred while the first runs, bypassing `enqueue` (which refuses
    it) and the queueing lock: the lock of the portal's host alone must keep it waiting."""
    import asyncio

    from crawler.distributed.app import Settings, make_app
    from crawler.distributed.enqueue import job_lock
    from crawler.distributed.tasks import CRAWL_TASK

    async def defer() -> int:
        app = make_app(Settings(database_url=url), pool_size=1)
        async with app.open_async():
            task = app.configure_task(CRAWL_TASK, lock=job_lock("dongying", base_url, {}))
            return await task.defer_async(portal="dongying", base_url=base_url)

    return asyncio.run(defer())


def clean_crawl(tmp: Path, base_url: str, portal: str) -> dict:
    """The rows of one uninterrupted crawl of the portal's mirror, in SQLite."""
    url = f"sqlite:///{tmp}/clean/govreports.db"
    one_process_crawl(url, tmp / "clean", {portal: base_url})
    return stored_rows(url)


def test_a_worker_killed_mid_portal_leaves_it_to_the_other_and_the_portal_is_never_crawled_twice_at_once(
    pg_url, tmp_path, workers
):
    mirror = HoldingMirror(SITES / "dongying", hold=SEED_PDF).start()
    env = env_for(tmp_path, pg_url, GOVREPORTS_BATCH_SIZE="1")  # one report per transaction
    map_file = tmp_path / "map.json"
    map_file.write_text(json.dumps({"dongying": mirror.base_url}), "utf-8")
    job_root = tmp_path / "jobs"
    try:
        workers += [Worker(env, tmp_path / "a.log"), Worker(env, tmp_path / "b.log")]
        assert "dongying: queued" in govreports(env, "enqueue", "dongying", "--base-url-map", str(map_file)).stdout
        # the crawl is held on the 2019 seed's PDF with 2018 and 2021 stored
        wait_until(lambda: mirror.arrived.is_set() and report_count(pg_url) == 2, "the crawl to reach the PDF", workers)
        pid = crawl_pid(job_root, "dongying")
        assert pid and alive(pid)
        (busy,) = [w for w in workers if w.pid == parent_of(pid)]
        (other,) = [w for w in workers if w is not busy]

        # running: enqueue does not queue it again
        running = govreports(env, "enqueue", "dongying", "--base-url-map", str(map_file))
        assert "dongying: not queued (running)" in running.stdout, running.stdout + running.stderr
        # a second job of the portal anyway: the idle worker must not start it while the first runs
        second = defer_second_job(pg_url, mirror.base_url)
        time.sleep(3)  # the idle worker is notified of the new job and polls meanwhile
        (first_id, *_), _ = jobs(pg_url)
        assert [(j[0], j[2]) for j in jobs(pg_url)] == [(first_id, "doing"), (second, "todo")]

        os.kill(busy.pid, signal.SIGKILL)
        killed_at = datetime.now(UTC).replace(tzinfo=None)
        busy.process.wait(10)
        wait_until(lambda: not alive(pid), "the killed worker's crawl to die with it (PR_SET_PDEATHSIG)")
        mirror.release()

        start = len(mirror.requests)
        wait_until(lambda: all_done(pg_url, 2), "the other worker to finish the portal (both jobs)", [other])
        resumed = [p for _, p in mirror.requests[start:]]
        status = govreports(env, "status")
        clean = clean_crawl(tmp_path, mirror.base_url, "dongying")
    finally:
        mirror.release()
        mirror.stop()
    found = jobs(pg_url)
    assert [(j[0], j[2]) for j in found] == [(first_id, "succeeded"), (second, "succeeded")], found
    assert found[0][4] == 2  # two attempts: the one killed (put back by the recovery), the one that finished
    assert "stopped sending heartbeats: queued again" in other.text()
    killed_run, *later = runs(pg_url)
    # it died with its worker; the other worker's crawl found its process gone and closed it
    assert (killed_run.finished_at, killed_run.outcome, killed_run.finish_reason) == (None, "killed", "killed")
    assert "the crawl was killed: its process" in (killed_run.exit_reason or "")
    assert [r.outcome for r in later] == ["ok", "ok"]
    assert all(r.started_at >= killed_at for r in later)
    assert_no_overlap(pg_url, {killed_run.id: killed_at})
    # the recovered crawl resumed: the reports stored before the kill were not fetched again
    assert not [p for p in resumed if p.startswith(("/art/2019/3/29/art_164458_7018", "/art/2022/1/28/"))]
    assert SEED_PDF in " ".join(resumed)
    # nothing lost, nothing doubled
    assert stored_rows(pg_url) == clean
    (line,) = [ln for ln in status.stdout.splitlines() if ln.startswith("dongying ")]
    assert "succeeded" in line and " ok " in line, status.stdout
    assert "lost" in status.stdout  # the killed worker, silent since


# -- a worker that loses the database ---------------------------------------------------------------


class Proxy:
    """A TCP proxy to the PostgreSQL server for one worker: `cut()` closes every connection and
    refuses new ones, as a network partition between that worker's machine and the database."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.is_cut = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(self.upstream)
            with self.lock:
                if self.is_cut:
                    client.close()
                    server.close()
                    return
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        with self.lock:
            self.is_cut = True
            self.listener.close()
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def test_a_worker_that_loses_the_database_keeps_dead_letters_and_the_next_job_applies_them(pg_url, tmp_path, workers):
    from sqlalchemy.engine import make_url

    parsed = make_url(pg_url)
    proxy = Proxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    cut_off = parsed.set(port=proxy.port).render_as_string(hide_password=False)
    mirror = HoldingMirror(SITES / "huaibei", hold=HUAIBEI_PDF).start()
    timing = {"GOVREPORTS_BATCH_SIZE": "1"}
    letters_dir = tmp_path / "jobs" / "huaibei" / "deadletter"
    try:
        lost = Worker(env_for(tmp_path, cut_off, **timing), tmp_path / "lost.log")
        workers.append(lost)
        env = env_for(tmp_path, pg_url, **timing)
        (tmp_path / "map.toml").write_text(f'huaibei = "{mirror.base_url}"\n', "utf-8")
        assert (
            "huaibei: queued"
            in govreports(env, "enqueue", "huaibei", "--base-url-map", str(tmp_path / "map.toml")).stdout
        )
        # four reports stored, the fifth (2020) waiting for its PDF
        wait_until(lambda: mirror.arrived.is_set() and report_count(pg_url) == 4, "the crawl to reach the PDF", [lost])
        pid = crawl_pid(tmp_path / "jobs", "huaibei")
        assert pid and parent_of(pid) == lost.pid

        proxy.cut()
        # the worker stops its crawl (SIGTERM) within seconds: the PDF in flight is let go then,
        # so the graceful stop finishes the 2020 report, whose batch cannot be written
        wait_until(lambda: "Received SIGTERM" in lost.text(), "the cut-off worker to stop its crawl", [lost])
        mirror.release()
        wait_until(lambda: not alive(pid), "the stopped crawl to exit", [lost])
        stopped_at = datetime.now(UTC).replace(tzinfo=None)
        letters = sorted(letters_dir.glob("huaibei-*.json"))
        assert letters, lost.text()[-3000:]
        kept = [json.loads(p.read_text("utf-8")) for p in letters]
        assert [item["page"]["url"] for letter in kept for item in letter["items"]] == [
            f"{mirror.base_url}/zwgk/public/15/99000111.html"
        ]
        # named by cluster and database, not by the URL through the proxy: the other worker's database too
        (named,) = {letter["database"] for letter in kept}
        assert (
            named.startswith("postgresql:") and named.endswith(f"/{parsed.database}") and str(proxy.port) not in named
        )
        assert report_count(pg_url) == 4
        assert lost.process.poll() is None  # the worker itself lives on, trying to reconnect

        start = len(mirror.requests)
        other = Worker(env, tmp_path / "other.log")
        workers.append(other)
        wait_until(lambda: all_done(pg_url, 1), "the other worker to take the portal over", [other, lost])
        again = requests_since(mirror, start)
        clean = clean_crawl(tmp_path, mirror.base_url, "huaibei")
        # the cut-off worker, asked to stop, cannot record anything: it exits after the crawls'
        # stop grace (4 s here) and 10 s for the jobs' status, not after the pool's timeouts
        lost.process.terminate()
        assert lost.process.wait(30) == 1
        assert "stop took longer than 14 s (database unreachable?): exiting now" in lost.text()
    finally:
        mirror.release()
        mirror.stop()
    ((_, _, status, worker, attempts),) = jobs(pg_url)
    assert (status, attempts) == ("succeeded", 2)
    assert "huaibei: database unreachable for " in lost.text()
    assert "stopped sending heartbeats: queued again" in other.text()
    assert not list(letters_dir.glob("huaibei-*.json"))  # re-applied, then deleted
    cut_run, next_run = runs(pg_url)
    # it could not record its end; the next crawl found its process gone and closed the row
    assert (cut_run.outcome, cut_run.finished_at) == ("killed", None)
    assert "the crawl was killed: its process" in (cut_run.exit_reason or "")
    assert next_run.outcome == "ok" and next_run.started_at >= stopped_at
    assert next_run.summary["dead_letters"] == {"kept": 0, "replayed": 1}
    assert again == HUAIBEI_LISTS  # the re-applied report is held: only the lists were read
    assert stored_rows(pg_url) == clean


# -- retries ---------------------------------------------------------------------------------------

REFUSE_2020 = [  # the database refuses the documents of huaibei's 2020 report (page 99000111)
    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$",
    "CREATE TRIGGER refuse BEFORE INSERT ON documents FOR EACH ROW "
    "WHEN (NEW.url LIKE '%99000111%') EXECUTE FUNCTION refuse()",
]


def test_a_crawl_left_with_dead_letters_is_retried_and_one_that_failed_is_not(pg_url, tmp_path, workers):
    from crawler.storage.db import ensure_schema

    engine = ensure_schema(pg_url)
    with engine.begin() as conn:
        for statement in REFUSE_2020:
            conn.execute(text(statement))
    engine.dispose()
    env = env_for(
        tmp_path, pg_url, GOVREPORTS_CRAWL_RETRY_WAIT="4", GOVREPORTS_BATCH_SIZE="1", GOVREPORTS_RETRY_TIMES="0"
    )
    with Mirror(SITES / "huaibei") as mirror:
        nothing = socket.create_server(("127.0.0.1", 0))  # a port that accepts nothing: every request fails
        refused = f"http://127.0.0.1:{nothing.getsockname()[1]}"
        nothing.close()
        (tmp_path / "map.json").write_text(json.dumps({"huaibei": mirror.base_url, "dongying": refused}))
        workers.append(Worker(env, tmp_path / "w.log"))
        queued = govreports(env, "enqueue", "huaibei", "dongying", "--base-url-map", str(tmp_path / "map.json"))
        assert "2 portals queued" in queued.stdout, queued.stdout + queued.stderr
        # huaibei's first attempt ends with a dead letter: its job waits for the retry
        wait_until(
            lambda: [(p, st, a) for _, p, st, _, a in jobs(pg_url) if p == "huaibei"] == [("huaibei", "todo", 1)],
            "huaibei's job to wait for its retry",
            workers,
        )
        waiting = govreports(env, "status")
        engine = create_engine(pg_url)
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse ON documents"))
        engine.dispose()
        wait_until(lambda: all_done(pg_url, 2), "both jobs", workers)
        clean = clean_crawl(tmp_path, mirror.base_url, "huaibei")
    found = {p: (st, a) for _, p, st, _, a in jobs(pg_url)}
    assert found == {"huaibei": ("succeeded", 2), "dongying": ("failed", 1)}  # no retry of a portal's own failure
    (line,) = [ln for ln in waiting.stdout.splitlines() if ln.startswith("huaibei ")]
    assert "attempt 2" in line, waiting.stdout
    assert "dead letters left" in workers[0].text()
    retried = [r for r in runs(pg_url) if r.spider == "huaibei"]
    assert [r.outcome for r in retried] == ["failed", "ok"]
    assert retried[1].summary["dead_letters"] == {"kept": 0, "replayed": 1}
    assert stored_rows(pg_url) == clean  # huaibei's rows as an uninterrupted crawl's; dongying stored none


# -- make demo-distributed ------------------------------------------------------------------------


def test_the_distributed_demo_prints_the_totals_of_the_demo(demo_database_url):
    from crawler.cli import summary_table

    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    done = subprocess.run(
        [sys.executable, "-m", "crawler.distributed.demo"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "killed worker " in done.stdout and "(SIGKILL) while it crawled " in done.stdout
    assert "5 portals queued, 0 already queued or running" in done.stdout
    expected = summary_table(demo_database_url).splitlines()
    got = done.stdout.rstrip().splitlines()
    table = got[-len(expected) :]
    assert table[:-1] == expected[:-1]  # bodies × years, row by row
    assert table[-1].split(" in ")[0] == expected[-1].split(" in ")[0]  # "13 bodies, 30 reports, … findings"


def test_the_lock_of_a_crawl_is_its_host_so_portals_of_one_host_run_one_at_a_time():
    from crawler.distributed.enqueue import job_lock

    homes = {"a": "http://www.weishan.gov.cn/", "b": "http://WWW.weishan.gov.cn/col/x", "c": "https://www.ds.gov.cn"}
    assert job_lock("a", None, homes) == job_lock("b", None, homes) == "host:www.weishan.gov.cn"
    assert job_lock("c", None, homes) == "host:www.ds.gov.cn"
    # a mirror is its own host: host and port
    assert job_lock("a", "http://127.0.0.1:8001", homes) == "host:127.0.0.1:8001"
    assert job_lock("nohome", None, homes) == "portal:nohome"


# -- single-machine use, bad input ------------------------------------------------------------------


def test_a_single_machine_crawl_does_not_import_the_task_queue():
    script = (
        "import sys\n"
        "from crawler import cli\n"
        "cli.build_parser()\n"
        "from scrapy.utils.project import get_project_settings\n"
        "from crawler.spiderloader import RegistrySpiderLoader\n"
        "import pipelines.storage, pipelines.parse, pipelines.archive\n"
        "RegistrySpiderLoader(get_project_settings()).load('dongying')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('procrastinate', 'psycopg_pool')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["worker", "--database-url", "sqlite:///data/x.db"], "keeps its jobs in PostgreSQL: sqlite database"),
        (["enqueue", "--database-url", "postgresql+psycopg://u@127.0.0.1:1/x"], "name portals or use --all"),
        (["enqueue", "nosuch", "--database-url", "postgresql+psycopg://u@127.0.0.1:1/x"], "no spider nosuch"),
        (["status"], "set GOVREPORTS_DATABASE_URL"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(args, message, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    done = govreports(env, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_bad_base_url_map_is_named(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    bad = tmp_path / "map.toml"
    bad.write_text('dongying = "ftp://x"\n', "utf-8")
    url = "postgresql+psycopg://u@127.0.0.1:1/x"
    done = govreports(env, "enqueue", "dongying", "--base-url-map", str(bad), "--database-url", url)
    assert done.returncode == 2
    assert f"--base-url-map {bad}: dongying: not an http(s) URL with a host: 'ftp://x'" in done.stderr
