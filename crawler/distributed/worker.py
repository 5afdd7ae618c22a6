"""`govreports worker [--concurrency N]`: run portal crawls from the queue until SIGTERM/SIGINT.

One procrastinate Worker (queue `crawl`, N jobs at once, each a child crawl process) plus:

- **recovery of lost workers' jobs**: every GOVREPORTS_WORKER_RECOVERY_EVERY seconds, jobs still
  `doing` whose worker sent no heartbeat for GOVREPORTS_WORKER_STALLED_AFTER seconds
  (procrastinate's `get_stalled_jobs`) are put back to `todo` (`retry_job`), so the portal of a
  worker killed with SIGKILL, or cut off from the database, is finished by another worker: its
  crawl resumes from the portal's job directory. Every worker runs the recovery; two racing for
  one job is harmless (the second `retry_job` finds it no longer `doing`). A job retried
  GOVREPORTS_CRAWL_RETRIES times already is marked failed instead (a portal that kills its
  worker every time, e.g. the OOM killer, must not loop).
- **the database lost**: procrastinate stops a worker whose heartbeat fails; its running crawls
  are stopped (SIGTERM, then SIGKILL after GOVREPORTS_CRAWL_STOP_GRACE; what they had fetched is
  kept as dead letters in their job directories) within heartbeat + grace seconds, before any
  other worker may take the portals over (`Settings.check`). This process then reconnects every
  GOVREPORTS_WORKER_RECONNECT_WAIT seconds and starts a new procrastinate worker.
- **a graceful stop** (SIGTERM, SIGINT): running crawls are stopped at once, gracefully, and
  their jobs retried (they resume) — a deploy never waits hours for the largest portal. A stop
  that cannot finish (the database gone: the jobs' status cannot be written) exits after
  GOVREPORTS_CRAWL_STOP_GRACE + 10 s; the other workers recover its jobs once they stall.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from typing import Any

from crawler.distributed.app import CRAWL_QUEUE, Settings, ensure_queue_schema, make_app
from crawler.distributed.tasks import CRAWL_TASK

log = logging.getLogger("govreports.distributed")
STOP_MARGIN = 10.0  # seconds after the crawls' stop grace for the jobs' status to be written


async def recover_stalled(app: Any, settings: Settings) -> list[int]:
    """Put the jobs of lost workers back in the queue; the ids of the jobs recovered."""
    from procrastinate.exceptions import UniqueViolation
    from procrastinate.jobs import Status

    recovered = []
    for job in await app.job_manager.get_stalled_jobs(
        task_name=CRAWL_TASK, seconds_since_heartbeat=settings.stalled_after
    ):
        try:
            if job.attempts >= settings.retries:  # counted as procrastinate's RetryStrategy(max_attempts) does
                await app.job_manager.finish_job(job=job, status=Status.FAILED, delete_job=False)
                log.error(
                    "job %s (%s): its worker was lost, %d retries already: failed",
                    job.id,
                    job.task_kwargs.get("portal"),
                    job.attempts,
                )
                continue
            await app.job_manager.retry_job(job)
        except UniqueViolation:  # a job of the portal already waits (its queueing lock): it resumes the crawl
            await app.job_manager.finish_job(job=job, status=Status.FAILED, delete_job=False)
            log.warning(
                "job %s (%s): its worker was lost; the portal's waiting job takes over",
                job.id,
                job.task_kwargs.get("portal"),
            )
            continue
        except Exception as exc:  # noqa: BLE001 - another worker recovered it first, or the database again
            log.info("job %s (%s) not recovered here: %s", job.id, job.task_kwargs.get("portal"), exc)
            continue
        recovered.append(job.id)
        log.warning(
            "job %s (%s): its worker %s stopped sending heartbeats: queued again",
            job.id,
            job.task_kwargs.get("portal"),
            job.worker_id,
        )
    return recovered


async def _recovery_loop(app: Any, settings: Settings, worker: Any) -> None:
    announced = False
    while True:
        if not announced and worker.worker_id is not None:
            announced = True
            log.info("worker %s registered (%s pid %d)", worker.worker_id, socket.gethostname(), os.getpid())
        try:
            await recover_stalled(app, settings)
        except Exception as exc:  # noqa: BLE001 - the database again: the worker itself notices
            log.warning("looking for jobs of lost workers failed: %s", exc)
        await asyncio.sleep(settings.recovery_every)


async def serve(settings: Settings, concurrency: int = 1, name: str | None = None) -> int:
    from procrastinate.worker import Worker

    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    current: dict[str, Any] = {}

    def give_up() -> None:
        # procrastinate waits for the database to record the stopped jobs; one that is gone would
        # hold a deploy (or systemd's stop) for its connection timeouts. The crawls are stopped by
        # now (SIGKILL after stop_grace); other workers recover the jobs once they stall.
        log.error("stop took longer than %.0f s (database unreachable?): exiting now", stop_deadline)
        logging.shutdown()
        os._exit(1)

    stop_deadline = settings.stop_grace + STOP_MARGIN

    def on_signal(signum: int) -> None:
        log.info("%s: stopping (running crawls stop and are queued again)", signal.Signals(signum).name)
        if not stopping.is_set():
            loop.call_later(stop_deadline, give_up)
        stopping.set()
        if current.get("worker"):
            current["worker"].stop()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    name = name or f"{socket.gethostname()}:{os.getpid()}"
    while not stopping.is_set():
        try:
            await asyncio.to_thread(ensure_queue_schema, settings)
            app = make_app(settings, pool_size=concurrency + 4)
            async with app.open_async():
                worker = Worker(
                    app,
                    queues=[CRAWL_QUEUE],
                    name=name,
                    concurrency=concurrency,
                    install_signal_handlers=False,
                    update_heartbeat_interval=settings.heartbeat,
                    stalled_worker_timeout=settings.stalled_after,
                    shutdown_graceful_timeout=0,
                )
                current["worker"] = worker
                recovery = asyncio.create_task(_recovery_loop(app, settings, worker))
                try:
                    await worker.run()
                finally:
                    current.pop("worker", None)
                    recovery.cancel()
            if not stopping.is_set():
                log.error("worker %s stopped by itself (database lost?): starting again", name)
        except Exception as exc:  # noqa: BLE001 - the database unreachable or lost
            if stopping.is_set():
                break
            log.error(
                "worker %s: database unreachable (%s: %s); trying again in %.0f s",
                name,
                type(exc).__name__,
                str(exc).splitlines()[0] if str(exc) else "",
                settings.reconnect_wait,
            )
        try:
            await asyncio.wait_for(stopping.wait(), settings.reconnect_wait)
        except TimeoutError:
            pass
    return 0


def run(settings: Settings, concurrency: int = 1, name: str | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("GOVREPORTS_LOG_LEVEL", "INFO"),
        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s",
    )
    return asyncio.run(serve(settings, concurrency, name))
