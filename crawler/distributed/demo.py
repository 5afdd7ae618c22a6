"""`make demo-distributed` (`python -m crawler.distributed.demo`): the distributed crawl on one
machine, offline. Starts a throwaway PostgreSQL (tests/pg.py), a local S3-compatible server for the
raw archive (moto, tests/s3.py), the mirrors of tests/sites, two `govreports worker` processes;
queues every mirrored portal (`govreports enqueue --all --base-url-map`), kills one worker with
SIGKILL once in the middle of a portal, waits until every job is done, and prints the queue's
status and the bodies × years summary of `make demo` (same totals). Needs a source checkout
(the mirrors and the test servers live in tests/) and PostgreSQL's binaries (make system-deps).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WAIT = 600  # seconds: the most the demo waits for the crawls


def main() -> int:
    from crawler.cli import summary_table
    from crawler.mirror.server import Mirror, sites_dir

    try:
        from tests.pg import PostgresServer
        from tests.s3 import start_s3
    except ImportError:
        print("demo-distributed: run it from a source checkout (make demo-distributed)", file=sys.stderr)
        return 2
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")  # offline: tldextract's bundled list
    from crawler.registry import load_registry

    sites = sites_dir()
    names = [n for n in load_registry() if (sites / n / "root").is_dir()]
    folder = Path(tempfile.mkdtemp(prefix="govreports-distributed-"))
    print(f"demo-distributed: working folder {folder}")
    pg = PostgresServer()
    s3 = start_s3()
    if s3 is None:
        print("demo-distributed: needs boto3 and moto[server] (make install)", file=sys.stderr)
        pg.stop()
        return 2
    mirrors = [Mirror(sites / n).start() for n in names]
    workers: list[subprocess.Popen] = []
    try:
        url = pg.database()
        bucket = s3.bucket()
        print(f"PostgreSQL {url}\nS3 archive s3://{bucket}/archive at {s3.endpoint}")
        (folder / "mirrors.json").write_text(json.dumps({n: m.base_url for n, m in zip(names, mirrors, strict=True)}))
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
        env.update(s3.env())
        env.update(
            {
                "GOVREPORTS_DATABASE_URL": url,
                "GOVREPORTS_ARCHIVE_URL": f"s3://{bucket}/archive",
                "GOVREPORTS_JOB_ROOT": str(folder / "jobs"),
                "GOVREPORTS_DOWNLOAD_DELAY": "0.2",  # quick, and slow enough to catch a crawl mid-portal
                "GOVREPORTS_AUTOTHROTTLE": "0",
                "GOVREPORTS_LOG_LEVEL": "WARNING",
                "GOVREPORTS_BATCH_SIZE": "1",
                "GOVREPORTS_WORKER_HEARTBEAT": "1",
                "GOVREPORTS_WORKER_STALLED_AFTER": "12",
                "GOVREPORTS_WORKER_RECOVERY_EVERY": "1",
                "GOVREPORTS_CRAWL_STOP_GRACE": "4",
                "GOVREPORTS_CRAWL_RETRY_WAIT": "0",
                "GOVREPORTS_NIGHTLY_CRON": "",
            }
        )
        for n in (1, 2):
            log = (folder / f"worker{n}.log").open("w")
            workers.append(
                subprocess.Popen([sys.executable, "-m", "crawler.cli", "worker"], env=env, stdout=log, stderr=log)
            )
        print(f"workers: pids {workers[0].pid} and {workers[1].pid} (logs in {folder})")
        queued = _govreports(env, "enqueue", "--all", "--base-url-map", str(folder / "mirrors.json"))
        print(queued.stdout.rstrip())
        if queued.returncode:
            print(queued.stderr, file=sys.stderr)
            return 1
        killed = _kill_one_mid_portal(url, folder / "jobs", workers)
        print(f"killed worker {killed[0]} (SIGKILL) while it crawled {killed[1]}; the other takes it over")
        _wait_done(url, len(names))
        print()
        print(_govreports(env, "status").stdout.rstrip())
        print()
        print(summary_table(url))
        return 0 if _all_succeeded(url) else 1
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
        for w in workers:
            try:
                w.wait(30)
            except subprocess.TimeoutExpired:
                w.kill()
        for m in mirrors:
            m.stop()
        s3.stop()
        pg.stop()


def _govreports(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], env=env, capture_output=True, text=True)


def _jobs(url: str) -> list[tuple[int, str, str]]:
    import psycopg

    from crawler.distributed.app import QUEUE_JOBS, conninfo, table_exists

    with psycopg.connect(conninfo(url)) as conn:
        if not table_exists(conn, QUEUE_JOBS):
            return []
        return conn.execute(
            "SELECT id, lock, status::text FROM procrastinate.procrastinate_jobs "
            "WHERE task_name = 'govreports:crawl_portal' ORDER BY id"
        ).fetchall()


def _kill_one_mid_portal(url: str, job_root: Path, workers: list[subprocess.Popen]) -> tuple[int, str]:
    """SIGKILL a worker whose crawl has started a portal (its run marker is there) and stored a
    report of it, before the crawl ends."""
    import psycopg

    from crawler.distributed.app import conninfo

    deadline = time.monotonic() + WAIT
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        while time.monotonic() < deadline:
            for marker in job_root.glob("*/*.run.json"):
                portal = marker.parent.name
                try:
                    pid = json.loads(marker.read_text("utf-8"))["pid"]
                    parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
                    row = conn.execute("SELECT count(*) FROM public.reports WHERE spider = %s", (portal,)).fetchone()
                except (OSError, ValueError, KeyError, psycopg.Error):
                    continue  # between two states: look again
                worker = next((w for w in workers if w.pid == parent), None)
                if worker is not None and row and row[0] and marker.exists():
                    os.kill(worker.pid, signal.SIGKILL)
                    worker.wait()
                    return worker.pid, portal
            time.sleep(0.05)
    raise RuntimeError("no worker was caught in the middle of a portal")


def _wait_done(url: str, n: int) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        jobs = _jobs(url)
        if len(jobs) == n and all(status in ("succeeded", "failed") for _, _, status in jobs):
            return
        time.sleep(0.5)
    raise RuntimeError("the crawls did not finish in time")


def _all_succeeded(url: str) -> bool:
    return all(status == "succeeded" for _, _, status in _jobs(url))


if __name__ == "__main__":
    sys.exit(main())
