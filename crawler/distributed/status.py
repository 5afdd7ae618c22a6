"""`govreports status`: the queue, per portal and per worker.

Per portal: its waiting job (and when it may run: a retry waits), its running job (which worker,
since when), the last finished job (succeeded / failed / aborted, when) and the last crawl run the
crawl itself recorded (crawl_runs: outcome, exit reason). Per worker: its procrastinate id, last
heartbeat (a worker silent for GOVREPORTS_WORKER_STALLED_AFTER seconds is `lost`: its jobs go back
to the queue), what it runs now and how many jobs it finished. Read-only SQL over procrastinate's
tables (schema `procrastinate`) and crawl_runs (schema `public`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawler.distributed.app import QUEUE_JOBS, QUEUE_SCHEMA, Settings, conninfo, table_exists
from crawler.distributed.tasks import CRAWL_TASK

JOBS = f"""
SELECT j.id, coalesce(j.args->>'portal', j.queueing_lock, j.lock), j.status::text, j.attempts,
       j.scheduled_at, j.worker_id,
       (SELECT max(e.at) FROM {QUEUE_SCHEMA}.procrastinate_events e WHERE e.job_id = j.id) AS at,
       (SELECT max(e.at) FROM {QUEUE_SCHEMA}.procrastinate_events e
         WHERE e.job_id = j.id AND e.type = 'started') AS started
  FROM {QUEUE_SCHEMA}.procrastinate_jobs j
 WHERE j.task_name = %s
 ORDER BY j.id
"""
WORKERS = f"SELECT id, last_heartbeat, now() - last_heartbeat FROM {QUEUE_SCHEMA}.procrastinate_workers ORDER BY id"
LAST_RUNS = """
SELECT r.spider, r.outcome, r.started_at, r.finished_at, r.exit_reason
  FROM public.crawl_runs r
 WHERE r.id IN (SELECT max(id) FROM public.crawl_runs GROUP BY spider)
"""


@dataclass
class PortalStatus:
    queued: str = ""
    running: str = ""
    last_job: str = ""
    last_crawl: str = ""


@dataclass
class WorkerStatus:
    id: int
    heartbeat_age: float
    lost: bool
    running: list[str] = field(default_factory=list)
    finished: dict[str, int] = field(default_factory=dict)


def collect(settings: Settings) -> tuple[dict[str, PortalStatus], list[WorkerStatus]]:
    import psycopg

    portals: dict[str, PortalStatus] = {}
    workers: dict[int, WorkerStatus] = {}
    with psycopg.connect(conninfo(settings.database_url), connect_timeout=10) as conn:
        if not table_exists(conn, QUEUE_JOBS):
            jobs: list[Any] = []
        else:
            jobs = conn.execute(JOBS, (CRAWL_TASK,)).fetchall()
            for wid, _beat, age in conn.execute(WORKERS).fetchall():
                seconds = age.total_seconds()
                workers[wid] = WorkerStatus(wid, seconds, seconds > settings.stalled_after)
        runs = conn.execute(LAST_RUNS).fetchall() if table_exists(conn, "public.crawl_runs") else []
    for job_id, lock, status, attempts, scheduled_at, worker_id, at, started in jobs:
        p = portals.setdefault(lock, PortalStatus())
        if status == "todo":
            when = f" from {_when(scheduled_at)}" if scheduled_at and scheduled_at > datetime.now(UTC) else ""
            again = f", attempt {attempts + 1}" if attempts else ""
            p.queued = f"job {job_id}{when}{again}"
        elif status == "doing":
            w = workers.get(worker_id)
            on = f"worker {worker_id}" + (" (lost)" if w is None or w.lost else "")
            p.running = f"job {job_id} on {on} since {_when(started)}"
            if w:
                w.running.append(lock)
        else:
            p.last_job = f"{status} {_when(at)} (job {job_id})"
            if worker_id in workers:
                workers[worker_id].finished[status] = workers[worker_id].finished.get(status, 0) + 1
    for spider, outcome, started_at, finished_at, exit_reason in runs:
        p = portals.setdefault(spider, PortalStatus())
        when = f"{finished_at:%Y-%m-%d %H:%M}" if finished_at else f"started {started_at:%Y-%m-%d %H:%M}, not finished"
        p.last_crawl = f"{outcome} {when}" + (f" ({exit_reason[:80]})" if exit_reason else "")
    return portals, sorted(workers.values(), key=lambda w: w.id)


def _when(at: datetime | None) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if at else "?"


def format_status(portals: dict[str, PortalStatus], workers: list[WorkerStatus], registry: list[str]) -> str:
    from crawler.cli import _pad, _width

    names = list(dict.fromkeys([*registry, *sorted(portals)]))
    rows = [("portal", "queued", "running", "last job", "last crawl")]
    for name in names:
        p = portals.get(name, PortalStatus())
        rows.append((name, p.queued or "-", p.running or "-", p.last_job or "-", p.last_crawl or "never crawled"))
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] for r in rows]
    lines.append("")
    if not workers:
        lines.append("no worker has registered (start one: govreports worker)")
    for w in workers:
        state = "lost" if w.lost else "alive"
        done = ", ".join(f"{n} {s}" for s, n in sorted(w.finished.items())) or "none"
        running = ", ".join(w.running) or "idle"
        lines.append(
            f"worker {w.id}: {state}, last heartbeat {w.heartbeat_age:.0f} s ago; "
            f"running {running}; jobs finished: {done}"
        )
    n_queued = sum(1 for p in portals.values() if p.queued)
    n_running = sum(1 for p in portals.values() if p.running)
    lines.append(f"{n_queued} portals queued, {n_running} running, {sum(not w.lost for w in workers)} workers alive")
    return "\n".join(lines)
