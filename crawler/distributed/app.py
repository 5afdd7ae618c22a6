"""The procrastinate App of the distributed crawl, its settings and its schema.

Jobs live in the PostgreSQL database the crawl writes to (GOVREPORTS_DATABASE_URL), in their own
PostgreSQL schema `procrastinate` (every connection of the App has `search_path=procrastinate`):
the crawl's tables stay exactly what the Alembic migrations build in `public`, so
`crawler.storage.db.ensure_schema` never sees a table it does not know. procrastinate's schema is
procrastinate's own (its SQL ships with the package); `ensure_queue_schema` applies it once, under
an advisory lock, when the schema is absent. Upgrading procrastinate across a schema change means
applying its migrations (`procrastinate schema --migrations-path`) with the same search_path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUEUE_SCHEMA = "procrastinate"
QUEUE_JOBS = f"{QUEUE_SCHEMA}.procrastinate_jobs"  # the queue's job table
CRAWL_QUEUE = "crawl"
# pg_advisory_xact_lock key while the queue schema is created (any constant unique to us)
SCHEMA_LOCK = 0x676F7672  # "govr"


class DistributedError(Exception):
    """Bad set-up of the distributed crawl (one line for the user)."""


def _float(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    try:
        return float(value) if value.strip() else default
    except ValueError:
        raise DistributedError(f"{name} must be a number of seconds, got {value!r}") from None


@dataclass
class Settings:
    """The distributed crawl's settings, from the environment (docs/operations.md)."""

    database_url: str
    job_root: Path = field(default_factory=lambda: Path("data/jobs"))
    heartbeat: float = 10.0  # seconds between a worker's heartbeats
    stalled_after: float = 120.0  # a worker silent this long is lost: its jobs are retried elsewhere
    recovery_every: float = 15.0  # seconds between two looks for jobs of lost workers
    stop_grace: float = 30.0  # a crawl asked to stop (SIGTERM) gets this long before SIGKILL
    retries: int = 3  # retries of an interrupted crawl (killed, stopped, or dead letters left)
    retry_wait: float = 300.0  # seconds before such a retry
    nightly_cron: str = "30 18 * * *"  # UTC: 02:30 Asia/Shanghai; "" = no nightly schedule
    nightly_base_url_map: str = ""  # a --base-url-map file for the nightly run (a staging fleet on mirrors)
    reconnect_wait: float = 5.0  # seconds between attempts to reach a lost database

    @classmethod
    def from_env(cls, database_url: str | None = None, job_root: str | None = None) -> Settings:
        url = database_url or os.environ.get("GOVREPORTS_DATABASE_URL", "")
        settings = cls(
            database_url=url,
            job_root=Path(job_root or os.environ.get("GOVREPORTS_JOB_ROOT") or "data/jobs"),
            heartbeat=_float("GOVREPORTS_WORKER_HEARTBEAT", 10.0),
            stalled_after=_float("GOVREPORTS_WORKER_STALLED_AFTER", 120.0),
            recovery_every=_float("GOVREPORTS_WORKER_RECOVERY_EVERY", 15.0),
            stop_grace=_float("GOVREPORTS_CRAWL_STOP_GRACE", 30.0),
            retries=int(_float("GOVREPORTS_CRAWL_RETRIES", 3)),
            retry_wait=_float("GOVREPORTS_CRAWL_RETRY_WAIT", 300.0),
            nightly_cron=os.environ.get("GOVREPORTS_NIGHTLY_CRON", "30 18 * * *").strip(),
            nightly_base_url_map=os.environ.get("GOVREPORTS_NIGHTLY_BASE_URL_MAP", "").strip(),
            reconnect_wait=_float("GOVREPORTS_WORKER_RECONNECT_WAIT", 5.0),
        )
        settings.check()
        return settings

    @property
    def ping_timeout(self) -> float:
        """Seconds a running job's check of the database may take (crawler/distributed/tasks.py)."""
        return max(self.heartbeat, 2.0)

    @property
    def fence_after(self) -> float:
        """Seconds without the database after which a worker stops its crawls. They must be dead
        before another worker may take their portals over (`stalled_after` after the last
        heartbeat, which may be one interval older than the last good check): the check's own
        interval and timeout, the crawl's stop grace and one interval of margin come off."""
        return self.stalled_after - 2 * self.heartbeat - self.ping_timeout - self.stop_grace - self.heartbeat

    def check(self) -> None:
        conninfo(self.database_url)  # a PostgreSQL URL, or a DistributedError
        if self.heartbeat <= 0 or self.fence_after < self.heartbeat:
            raise DistributedError(
                "GOVREPORTS_WORKER_STALLED_AFTER must be at least 5 × GOVREPORTS_WORKER_HEARTBEAT + "
                "GOVREPORTS_CRAWL_STOP_GRACE (+ 2 s for a heartbeat under 2 s): a worker that lost the database must "
                f"have stopped its crawls before another takes them over (got {self.stalled_after}, "
                f"{self.heartbeat}, {self.stop_grace})"
            )


def conninfo(database_url: str) -> str:
    """The libpq URL of a SQLAlchemy PostgreSQL URL (postgresql+psycopg://… → postgresql://…)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not database_url:
        raise DistributedError("set GOVREPORTS_DATABASE_URL (or --database-url) to the crawl's PostgreSQL database")
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise DistributedError(f"not a database URL: {database_url!r}") from None
    if url.get_backend_name() != "postgresql":
        raise DistributedError(
            f"the distributed crawl keeps its jobs in PostgreSQL: {url.get_backend_name()} database "
            f"{url.render_as_string(hide_password=True)} cannot hold them (crawl it with govreports crawl)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def connect_options() -> str:
    return f"-c search_path={QUEUE_SCHEMA}"


def make_app(settings: Settings, *, pool_size: int = 4) -> Any:
    """A procrastinate App on the crawl's database, its tasks registered (crawler/distributed/tasks.py)."""
    try:
        import procrastinate
    except ImportError:
        raise DistributedError(
            "the distributed crawl needs procrastinate: pip install 'govreports[distributed]'"
        ) from None
    from crawler.distributed.tasks import register_tasks

    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(settings.database_url),
        kwargs={"options": connect_options(), "connect_timeout": 10},
        min_size=1,
        max_size=pool_size,
        timeout=30,  # seconds to wait for a connection of the pool
    )
    app = procrastinate.App(connector=connector, periodic_defaults={"max_delay": 3600})
    register_tasks(app, settings)
    return app


def table_exists(conn: Any, table: str) -> bool:
    """Whether `schema.table` exists on a psycopg connection (the queue's tables appear only once a
    worker has created them)."""
    row = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
    return row is not None and row[0] is not None


def ensure_queue_schema(settings: Settings) -> bool:
    """Create procrastinate's tables in the schema `procrastinate` unless they exist; True when
    they were created now. Several workers starting at once: one creates, the others wait."""
    import psycopg
    from procrastinate.schema import SchemaManager

    with psycopg.connect(conninfo(settings.database_url), options=connect_options(), connect_timeout=10) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            if table_exists(conn, QUEUE_JOBS):
                return False
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {QUEUE_SCHEMA}")
            conn.execute(SchemaManager.get_schema())
    return True
