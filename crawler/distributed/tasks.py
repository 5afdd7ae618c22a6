"""The tasks of the distributed crawl.

`govreports:crawl_portal(portal, base_url=None)` crawls one portal in a child process:
`python -m crawler.cli crawl PORTAL --job-dir JOB_ROOT/PORTAL [--base-url URL]`. A child, because
Twisted's reactor cannot be restarted inside a long-lived worker; the portal's own job directory,
because a killed crawl restarted with it resumes (crawler/middlewares/incremental.py) and re-applies
the dead letters it left (crawler/storage/deadletter.py). Each job is deferred with
`queueing_lock` = the portal's name (never two waiting; crawler/distributed/enqueue.py refuses a
third while one runs) and `lock` = the host it crawls (`job_lock`): procrastinate never runs two
jobs of one lock at once, so neither one portal nor two portals of one host are crawled twice at
once.

The child asks the kernel for SIGKILL when the worker dies (PR_SET_PDEATHSIG): a worker killed
with SIGKILL leaves no crawl behind, so when the recovery (crawler/distributed/worker.py) hands its
job to another worker, nobody else is crawling that portal.

Outcomes, from the child's exit status (crawler/cli.py `cmd_crawl`):
    0                                  succeeded
    1 with dead letters left           CrawlIncomplete: retried (the next attempt re-applies them)
    1 otherwise (empty, failure rate)  CrawlFailed: failed, not retried (the portal's problem;
                                       crawl_runs says why, the nightly run tries again)
    killed, stopped, other status      CrawlInterrupted: retried (the next attempt resumes)
Retries: at most GOVREPORTS_CRAWL_RETRIES, each GOVREPORTS_CRAWL_RETRY_WAIT seconds after the failure.

`govreports:nightly` is a periodic task (cron GOVREPORTS_NIGHTLY_CRON, UTC; a 6th field counts
seconds): it queues every portal of the registry, as `govreports enqueue --all
[--base-url-map $GOVREPORTS_NIGHTLY_BASE_URL_MAP]` would.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("govreports.distributed")

CRAWL_TASK = "govreports:crawl_portal"
NIGHTLY_TASK = "govreports:nightly"
PR_SET_PDEATHSIG = 1


class CrawlInterrupted(Exception):
    """The crawl did not finish (killed, stopped): the retry resumes it."""


class CrawlIncomplete(Exception):
    """The crawl finished but left dead letters (the database refused batches): the retry re-applies them."""


class CrawlFailed(Exception):
    """The crawl finished with an outcome that is not ok (crawl_runs.exit_reason says why)."""


def register_tasks(app: Any, settings: Any) -> None:
    import procrastinate

    retry = procrastinate.RetryStrategy(
        max_attempts=settings.retries,
        wait=int(settings.retry_wait),
        retry_exceptions={CrawlInterrupted, CrawlIncomplete},
    )

    @app.task(name=CRAWL_TASK, queue="crawl", pass_context=True, retry=retry)
    async def crawl_portal(context: Any, portal: str, base_url: str | None = None) -> dict[str, Any]:
        return await run_portal_crawl(settings, portal, base_url, job=context.job.id)

    @app.task(name=NIGHTLY_TASK, queue="crawl", queueing_lock="nightly", priority=10)
    async def nightly(timestamp: int) -> dict[str, Any]:
        from crawler.distributed.enqueue import enqueue_async, read_base_url_map, registry_portals

        base_urls = read_base_url_map(settings.nightly_base_url_map) if settings.nightly_base_url_map else {}
        queued = await enqueue_async(app, registry_portals(), base_urls)
        log.info("nightly run at %s: %d portals queued, %d already queued or running", timestamp, *queued.counts())
        return {"queued": queued.queued, "skipped": queued.skipped}

    if settings.nightly_cron:
        app.periodic(cron=settings.nightly_cron, periodic_id="nightly")(nightly)


def crawl_command(settings: Any, portal: str, base_url: str | None) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        portal,
        "--job-dir",
        str(job_dir(settings, portal)),
        "--database-url",
        settings.database_url,
    ]
    return cmd + (["--base-url", base_url] if base_url else [])


def job_dir(settings: Any, portal: str) -> Path:
    return Path(settings.job_root).resolve() / portal


def pending_dead_letters(settings: Any, portal: str) -> list[Path]:
    return sorted((job_dir(settings, portal) / "deadletter").glob(f"{portal}-*.json"))


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:  # not Linux: the recovery still waits for the heartbeat to go stale
        pass


async def run_portal_crawl(settings: Any, portal: str, base_url: str | None, job: int | None = None) -> dict[str, Any]:
    cmd = crawl_command(settings, portal, base_url)
    job_dir(settings, portal).mkdir(parents=True, exist_ok=True)
    log.info("job %s: crawling %s (%s)", job, portal, " ".join(cmd[2:]))
    env = os.environ.copy()
    # dead letters name the database by cluster and name, not by this worker's URL of it
    env["GOVREPORTS_DATABASE_ID"] = env.get("GOVREPORTS_DATABASE_ID") or await database_identity(settings) or ""
    # started from the event loop's thread, which lives as long as the worker: PR_SET_PDEATHSIG
    # fires when the forking thread ends
    child = await asyncio.create_subprocess_exec(
        *cmd, stdout=None, stderr=asyncio.subprocess.PIPE, preexec_fn=_die_with_parent, env=env
    )
    tail: collections.deque[str] = collections.deque(maxlen=20)
    relay = asyncio.create_task(_relay(child.stderr, tail))
    fenced: dict[str, str] = {}
    fence = asyncio.create_task(_fence(settings, child, portal, fenced))
    try:
        returncode = await child.wait()
        await relay
    except asyncio.CancelledError:  # the worker stops (SIGTERM, procrastinate's shutdown): stop the crawl
        await stop_child(child, settings.stop_grace)
        relay.cancel()
        raise CrawlInterrupted(f"{portal}: the worker stopped the crawl (it resumes with the next attempt)") from None
    finally:
        fence.cancel()
    if fenced:
        raise CrawlInterrupted(f"{portal}: {fenced['reason']} (it resumes with the next attempt)")
    if returncode == 0:
        log.info("job %s: %s crawled", job, portal)
        return {"portal": portal, "outcome": "ok"}
    if returncode == 1:
        letters = pending_dead_letters(settings, portal)
        reason = _reason(tail, portal)
        if letters:
            raise CrawlIncomplete(f"{portal}: {len(letters)} dead letters left ({reason})")
        raise CrawlFailed(f"{portal}: {reason}")
    how = f"killed by {signal.Signals(-returncode).name}" if returncode < 0 else f"exit status {returncode}"
    raise CrawlInterrupted(f"{portal}: the crawl ended {how}: {_reason(tail, portal)}")


async def _fence(settings: Any, child: asyncio.subprocess.Process, portal: str, fenced: dict[str, str]) -> None:
    """While the crawl runs, check every `heartbeat` seconds that the database answers; after
    `fence_after` seconds without it, stop the crawl (SIGTERM: what it holds becomes dead letters;
    SIGKILL after the grace), before another worker takes the portal over; the reason in `fenced`."""
    last_ok = time.monotonic()
    while child.returncode is None:
        await asyncio.sleep(settings.heartbeat)
        if await database_answers(settings):
            last_ok = time.monotonic()
            continue
        silent = time.monotonic() - last_ok
        if silent >= settings.fence_after and child.returncode is None:
            reason = f"database unreachable for {silent:.0f} s: crawl stopped before another worker takes it over"
            log.error("%s: %s", portal, reason)
            fenced["reason"] = reason
            await stop_child(child, settings.stop_grace)
            return


async def database_answers(settings: Any) -> bool:
    import psycopg

    from crawler.distributed.app import conninfo

    try:
        async with asyncio.timeout(settings.ping_timeout):
            conn = await psycopg.AsyncConnection.connect(
                conninfo(settings.database_url), connect_timeout=max(2, int(settings.ping_timeout))
            )
            async with conn:
                await conn.execute("SELECT 1")
    except (OSError, TimeoutError, psycopg.Error):
        return False
    return True


async def database_identity(settings: Any) -> str | None:
    """`postgresql:<cluster system identifier>/<database>`: the same whichever URL reaches it
    (None when it cannot be read: the letters then name the URL)."""
    import psycopg

    from crawler.distributed.app import conninfo

    try:
        async with asyncio.timeout(settings.ping_timeout * 2):
            conn = await psycopg.AsyncConnection.connect(conninfo(settings.database_url), autocommit=True)
            async with conn:
                name = (await (await conn.execute("SELECT current_database()")).fetchone() or [None])[0]
                try:
                    row = await (await conn.execute("SELECT system_identifier FROM pg_control_system()")).fetchone()
                except psycopg.Error:  # not allowed to this role: the server's address then
                    row = await (
                        await conn.execute(
                            "SELECT coalesce(host(inet_server_addr()), 'local') || ':' || inet_server_port()"
                        )
                    ).fetchone()
    except (OSError, TimeoutError, psycopg.Error):
        return None
    return f"postgresql:{row[0] if row else '?'}/{name}"


async def stop_child(child: asyncio.subprocess.Process, grace: float) -> None:
    """SIGTERM (Scrapy closes gracefully: the batch in hand is written or kept as a dead letter),
    then SIGKILL after `grace` seconds."""
    if child.returncode is not None:
        return
    child.terminate()
    try:
        await asyncio.wait_for(asyncio.shield(child.wait()), grace)
    except TimeoutError:
        child.kill()
        await child.wait()


async def _relay(stream: asyncio.StreamReader | None, tail: collections.deque[str]) -> None:
    """The crawl's log to the worker's stderr, keeping the last lines (the exit reason is there)."""
    if stream is None:
        return
    while line := await stream.readline():
        text = line.decode("utf-8", "replace")
        tail.append(text.rstrip("\n"))
        sys.stderr.write(text)
    sys.stderr.flush()


def _reason(tail: collections.deque[str], portal: str) -> str:
    for line in reversed(tail):
        if line.startswith(f"{portal}: "):
            return line[len(portal) + 2 :]
    return tail[-1] if tail else "no output"
