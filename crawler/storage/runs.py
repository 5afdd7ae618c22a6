"""The crawl_runs rows and their crawl_failures: a run opened with its owner process, its failures
written as they come, the row closed with its counts and outcome; and rows left `running` by a
crawl that was killed (SIGKILL, a lost machine), closed as `killed` by the next crawl.

The owner is kept in the row's stats JSON (`OWNER_STAT`: host, pid and the process's start time
where the system tells it, so that a reused pid is not taken for the crawl). The Scrapy side
(crawler/extensions/runrecord.py) calls these functions; nothing here knows Scrapy.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crawler.items import Failure
from crawler.storage.models import CrawlFailure, CrawlRun, Report
from crawler.storage.store import utcnow

OWNER_STAT = "govreports/owner"  # {"host", "pid", "process_start"} of the process running the crawl
KILLED = "killed"


def process_start(pid: int) -> int | None:
    """The start time of process `pid` in clock ticks since boot (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: count from the last ")"
    fields = stat[stat.rfind(b")") + 2 :].split()
    try:
        return int(fields[19])  # field 22 of proc(5), the third of these being field 3
    except (IndexError, ValueError):
        return None


def this_process() -> dict[str, Any]:
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "process_start": process_start(pid)}


def owner_alive(owner: dict[str, Any]) -> bool:
    """Whether the process of `owner` (on this host) still runs: its pid exists and, where the
    start time was recorded, it is the same process (not a later one given the same pid)."""
    pid = owner.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    started = owner.get("process_start")
    return started is None or process_start(pid) in (None, started)


def held_count(sessions: sessionmaker[Session], spider: str) -> int:
    """Reports the database holds from this spider."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Report).where(Report.spider == spider)) or 0


def open_run(sessions: sessionmaker[Session], spider: str, owner: dict[str, Any]) -> int:
    """A new `running` row for this spider, owned by `owner`; its id."""
    with sessions.begin() as session:
        run = CrawlRun(spider=spider, started_at=utcnow(), outcome="running", stats={OWNER_STAT: owner})
        session.add(run)
        session.flush()
        return run.id


def write_failures(sessions: sessionmaker[Session], run_id: int, failures: Iterable[Failure]) -> None:
    """The failures as crawl_failures rows of the run, in one transaction."""
    with sessions.begin() as session:
        session.add_all(CrawlFailure(run_id=run_id, url=f.url, kind=f.kind, reason=f.reason, at=f.at) for f in failures)


def finish_run(sessions: sessionmaker[Session], run_id: int, **fields: Any) -> None:
    """Close the run's row: finished_at now, and the given columns (outcome, counts, summary …)."""
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            raise LookupError(f"crawl run {run_id} is not in the database")
        run.finished_at = utcnow()
        for name, value in fields.items():
            setattr(run, name, value)


def close_killed_runs(
    sessions: sessionmaker[Session],
    *,
    host: str,
    max_age: timedelta,
    alive: Callable[[dict[str, Any]], bool] = owner_alive,
    now: datetime | None = None,
) -> list[tuple[int, str, str]]:
    """Close as `killed` every `running` row whose crawl is gone: its owner ran on this host and
    that process no longer runs, or (any host, or no owner recorded) it started more than `max_age`
    ago. The row keeps finished_at empty (the crawl never finished; when it died is not known) and
    says in exit_reason why and when it was closed. (id, spider, why) of each row closed."""
    now = now or utcnow()
    closed = []
    with sessions.begin() as session:
        for run in session.scalars(select(CrawlRun).where(CrawlRun.outcome == "running")):
            owner = (run.stats or {}).get(OWNER_STAT) or {}
            if owner.get("host") == host and not alive(owner):
                why = f"its process {owner.get('pid')} on {host} is gone"
            elif now - run.started_at > max_age:
                who = f"process {owner.get('pid')} on {owner.get('host')}" if owner else "an unknown process"
                why = f"started {run.started_at:%Y-%m-%d %H:%M} UTC by {who}, more than {_hours(max_age)} ago"
            else:
                continue
            failures = session.scalar(
                select(func.count()).select_from(CrawlFailure).where(CrawlFailure.run_id == run.id)
            )
            run.outcome = KILLED  # finished_at stays empty: it never finished, when it died is unknown
            run.finish_reason = KILLED
            run.failures_count = failures or 0
            run.exit_reason = f"the crawl was killed: {why}; closed at {now:%Y-%m-%d %H:%M} UTC by a later run"
            closed.append((run.id, run.spider, why))
    return closed


def _hours(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:g} hours"
