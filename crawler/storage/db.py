"""Engine, sessions and schema upgrades. The schema is owned by the Alembic migrations in
migrations/: `ensure_schema()` runs them (first use creates the database), never create_all."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import migrations
from crawler.parsing.metrics import load_metrics
from crawler.storage.models import MetricDefinition

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # pysqlite's own implicit BEGIN breaks SAVEPOINT: a rolled-back batch would keep the rows a
    # savepoint inserted. Let SQLAlchemy emit BEGIN itself (its documented SQLite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")  # concurrent crawls wait instead of failing
    cursor.close()


def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
    # IMMEDIATE: take the write lock at the start, so two crawls' transactions queue (busy_timeout)
    # instead of deadlocking when both try to upgrade a read lock
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def ensure_schema(url: str) -> Engine:
    """Create or migrate the database to the newest schema and sync the metric dictionary."""
    engine = make_engine(url)
    if current_revision(engine) != head_revision(url):
        log.info("migrating database %s to %s", make_url(url).render_as_string(hide_password=True), head_revision(url))
        upgrade(url)
    with Session(engine) as session, session.begin():
        sync_metric_definitions(session)
    return engine


def sync_metric_definitions(session: Session) -> int:
    """Upsert metric_definitions from the shipped metrics.csv; returns how many rows changed.
    Codes are never deleted: stored metrics may still refer to them."""
    existing = {row.code: row for row in session.scalars(select(MetricDefinition))}
    changed = 0
    for definition in load_metrics().values():
        values = {
            "section": definition.section,
            "label_zh": definition.label_zh,
            "unit": definition.unit,
            "templates": "|".join(definition.templates),
            "dimensions": "|".join(definition.dimensions),
            "notes": definition.notes,
        }
        row = existing.get(definition.code)
        if row is None:
            session.add(MetricDefinition(code=definition.code, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    return changed


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
