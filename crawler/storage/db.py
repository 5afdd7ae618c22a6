"""Engine, sessions and schema upgrades. The schema is owned by the Alembic migrations in
migrations/: `ensure_schema()` runs them (first use creates the database), never create_all."""

from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, create_engine, event, inspect, literal_column, select
from sqlalchemy import table as table_clause
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import migrations
from crawler.parsing.metrics import load_metrics
from crawler.storage.models import MetricDefinition

log = logging.getLogger(__name__)


def make_engine(url: str, *, migrating: bool = False, **options: Any) -> Engine:
    """The one engine set-up, for the crawl, the commands and the migrations (migrations/env.py).

    On SQLite every transaction is a real one, DDL included: SQLAlchemy emits BEGIN itself, so a
    migration killed midway leaves nothing behind. `migrating` turns foreign keys off for the
    migrations' table rebuilds (batch mode drops and re-creates a table, which with foreign keys
    on would cascade-delete the rows that refer to it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **options)
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_connect_migrating if migrating else _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _without_nul(conn, cursor, statement, parameters, context, executemany):
    """Every text value written or looked up, without NUL characters: PostgreSQL's text cannot
    hold one (a NUL scraped into a name refused the whole batch), so neither database gets any,
    and a lookup by a scraped value finds the row written from it. The parameters come as one
    row (dict or tuple), a list of rows (executemany) or one flat row of many VALUES
    (SQLAlchemy's insertmanyvalues, also flagged executemany)."""
    return statement, _nul_free(parameters)


def _nul_free(value: Any) -> Any:
    if not _has_nul(value):
        return value  # the usual case: nothing copied
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: _nul_free(v) for k, v in value.items()}
    return type(value)(_nul_free(v) for v in value)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def _sqlite_connect(dbapi_connection, _record, foreign_keys: bool = True) -> None:
    # pysqlite's own implicit BEGIN breaks SAVEPOINT (a rolled-back batch would keep the rows a
    # savepoint inserted) and leaves DDL outside any transaction (a migration killed midway is
    # half done). Let SQLAlchemy emit BEGIN itself (its documented SQLite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cursor.execute("PRAGMA busy_timeout=30000")  # concurrent crawls wait instead of failing
    cursor.close()


def _sqlite_connect_migrating(dbapi_connection, record) -> None:
    _sqlite_connect(dbapi_connection, record, foreign_keys=False)


def _sqlite_begin(connection) -> None:
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


class StorageError(Exception):
    """The database cannot be used as asked: one line naming the fix (a command exits 1 with it,
    crawler/cli.py `explain`)."""


class SchemaError(StorageError):
    """The database's schema cannot be brought to this version's: the message names the fix."""


class DatabaseMissing(StorageError):
    """A reading command named a SQLite file that does not exist (it is never created)."""


class DatabaseUnavailable(StorageError):
    """The database cannot be opened: unreachable server, refused login, not a database file."""


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def database_exists(url: str) -> bool:
    """False only for a SQLite URL whose file is not there (a server database may exist)."""
    path = sqlite_file(url)
    return path is None or path.exists()


def require_database(url: str) -> None:
    """DatabaseMissing for a SQLite file that is not there: reading commands never create one."""
    if not database_exists(url):
        raise DatabaseMissing(
            f"no database at {sqlite_file(url)} (run `govreports crawl …` first or check "
            "--database-url / GOVREPORTS_DATABASE_URL)"
        )


def unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    """The one-line error for a database that refused to open."""
    reason = getattr(exc, "orig", None) or exc
    first = str(reason).strip().splitlines()[0] if str(reason).strip() else type(reason).__name__
    return DatabaseUnavailable(f"cannot open the database {safe_url(url)}: {' '.join(first.split())}")


def open_database(url: str, *, migrate: bool = False, older_ok: bool = False) -> Engine:
    """An engine on an existing database whose schema this govreports reads, for the commands
    that read (export, plot, coverage, serve, reparse, portals, db current): never creates a
    SQLite file. An older schema is migrated with `migrate`, else refused naming `govreports db
    upgrade` (or returned as it is with `older_ok`); a newer one (or an unreachable server) is a
    StorageError naming the fix."""
    from sqlalchemy.exc import SQLAlchemyError

    require_database(url)
    engine = make_engine(url)
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise unavailable(url, exc) from None
    head = head_revision(url)
    if current == head:
        return engine
    if current is not None and current not in known_revisions(url):
        engine.dispose()
        raise SchemaError(newer_message(url, current, head))
    if older_ok:
        return engine
    if migrate:
        engine.dispose()
        return ensure_schema(url)
    engine.dispose()
    if current is None:
        raise SchemaError(f"{safe_url(url)} holds no govreports schema: run `govreports db upgrade` or a crawl first")
    raise SchemaError(f"{safe_url(url)} is at schema revision {current}, not {head}: run `govreports db upgrade`")


def known_revisions(url: str) -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config(url)).walk_revisions()}


def newer_message(url: str, current: str, head: str | None) -> str:
    return (
        f"database {safe_url(url)} is at revision {current}, newer than this govreports knows "
        f"(head {head}): upgrade govreports to use it"
    )


def ensure_schema(url: str) -> Engine:
    """Create or migrate the database to the newest schema and sync the metric dictionary.
    SchemaError when the database is newer than this govreports or was left half-migrated."""
    engine = make_engine(url)
    head = head_revision(url)
    current = current_revision(engine)
    if current != head:
        check_upgradable(engine, url, current)
        log.info("migrating database %s to %s", safe_url(url), head)
        try:
            upgrade(url)
        except Exception:
            if current_revision(engine) != head:  # not another process migrating it meanwhile
                raise
    with Session(engine) as session, session.begin():
        sync_metric_definitions(session)
    return engine


def safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def check_upgradable(engine: Engine, url: str, current: str | None) -> None:
    """Refuse a database this version cannot migrate, with one line naming the fix; repair one
    that an interrupted first migration of an older govreports left half-built and empty.

    Migrations are atomic now (make_engine), but older versions ran SQLite's DDL outside any
    transaction: a kill midway left tables of a revision without its version stamp, and every
    later upgrade then failed with "table … already exists"."""
    if current is not None and current not in known_revisions(url):
        raise SchemaError(newer_message(url, current, head_revision(url)))
    present = schema_objects(engine)
    expected = objects_at_revision(current)
    if present == expected:
        return
    parts = [
        f"{label} {_names(names)}"
        for label, names in (("unexpected", present - expected), ("missing", expected - present))
        if names
    ]
    what = "; ".join(parts)
    if all(_is_empty(engine, name) for name in _tables(present)):
        log.warning(
            "database %s was left half-migrated (revision %s: %s) and holds no data: rebuilding it",
            safe_url(url),
            current or "none",
            what,
        )
        drop_everything(url)
        return
    raise SchemaError(
        f"database {safe_url(url)} was left half-migrated by an interrupted upgrade of an older "
        f"govreports (revision {current or 'none'}: {what}) and holds data: restore it from a backup, "
        "or move it aside and crawl again into a new database (the raw archive keeps every page)"
    )


def schema_objects(engine: Engine) -> set[str]:
    """The tables, their columns ("TABLE.COLUMN") and views ("view NAME") of the database,
    Alembic's own table excepted."""
    inspector = inspect(engine)
    tables = {name for name in inspector.get_table_names() if name != "alembic_version"}
    columns = {f"{name}.{column['name']}" for name in tables for column in inspector.get_columns(name)}
    return tables | columns | {f"view {name}" for name in inspector.get_view_names()}


@functools.cache
def _objects_at_revision(revision: str) -> frozenset[str]:
    with tempfile.TemporaryDirectory(prefix="govreports-schema-") as folder:
        scratch = f"sqlite:///{folder}/scratch.db"
        upgrade(scratch, revision)
        engine = make_engine(scratch)
        try:
            return frozenset(schema_objects(engine))
        finally:
            engine.dispose()


def objects_at_revision(revision: str | None) -> set[str]:
    """What the migrations build up to `revision`, read from a scratch SQLite database."""
    return set(_objects_at_revision(revision)) if revision else set()


def _names(objects: set[str], most: int = 6) -> str:
    """A short list: a table's columns are not named when the table itself is."""
    names = sorted(n for n in objects if n.partition(".")[0] not in objects or "." not in n)
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def _tables(objects: set[str]) -> list[str]:
    return sorted(n for n in objects if "." not in n and not n.startswith("view "))


def _is_empty(engine: Engine, table: str) -> bool:
    if table == "metric_definitions":
        return True  # the shipped dictionary, synced again after every migration
    with engine.connect() as conn:
        return conn.execute(select(literal_column("1")).select_from(table_clause(table)).limit(1)).first() is None


def drop_everything(url: str) -> None:
    """Drop every table and view of an empty, half-built database (then it migrates afresh)."""
    engine = make_engine(url, migrating=True)
    try:
        present = schema_objects(engine)
        with engine.begin() as conn:
            for name in sorted(n for n in present if n.startswith("view ")):
                conn.exec_driver_sql(f'DROP VIEW IF EXISTS "{name[5:]}"')
            metadata = MetaData()
            metadata.reflect(conn, only=_tables(present))
            metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    finally:
        engine.dispose()


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
