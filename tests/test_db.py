"""The schema: migrations up and down, no drift from the models, metric dictionary sync."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from crawler.parsing.metrics import load_metrics
from crawler.storage import db
from crawler.storage.models import Base, MetricDefinition
from tests.crawl import REPO

TABLES = {
    "bodies",
    "reports",
    "documents",
    "metric_definitions",
    "report_metrics",
    "validation_findings",
    "crawl_runs",
    "crawl_failures",
}


def test_first_use_creates_and_migrates_the_database(tmp_path):
    url = f"sqlite:///{tmp_path}/sub/dir/govreports.db"
    engine = db.ensure_schema(url)
    assert TABLES <= set(inspect(engine).get_table_names())
    assert db.current_revision(engine) == db.head_revision(url)


def test_models_and_migrations_do_not_drift(database_url):
    url = database_url
    engine = db.ensure_schema(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_migrations_go_down_to_nothing_and_up_again(database_url):
    url = database_url
    db.upgrade(url)
    db.downgrade(url, "base")
    engine = db.make_engine(url)
    assert not (TABLES & set(inspect(engine).get_table_names()))
    db.upgrade(url)
    assert TABLES <= set(inspect(engine).get_table_names())


def test_metric_dictionary_is_loaded_once_and_kept_in_sync(database_url):
    url = database_url
    engine = db.ensure_schema(url)
    with Session(engine) as session:
        rows = session.scalars(select(MetricDefinition)).all()
        assert len(rows) == len(load_metrics())
        apps_new = session.get(MetricDefinition, "apps.new")
        assert apps_new.label_zh == "一、本年新收政府信息公开申请数量"
        assert apps_new.dimensions == "applicant"
        assert db.sync_metric_definitions(session) == 0  # nothing changed: nothing rewritten
    db.ensure_schema(url)  # second use: no duplicate rows
    with Session(engine) as session:
        assert len(session.scalars(select(MetricDefinition)).all()) == len(load_metrics())


# -- interrupted migrations -------------------------------------------------------------------


def _start_upgrade(path: Path) -> subprocess.Popen:
    """`govreports db upgrade` of a fresh database, returned once it has created the file."""
    command = [sys.executable, "-m", "crawler.cli", "db", "upgrade", "--database-url", f"sqlite:///{path}"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    return process


def _migration_time(path: Path) -> float:
    process = _start_upgrade(path)
    started = time.monotonic()
    assert process.wait(timeout=60) == 0
    return time.monotonic() - started


@pytest.mark.e2e
def test_a_first_run_killed_at_any_moment_of_its_migrations_migrates_on_the_next_run(tmp_path):
    """SIGKILL a fresh first run ~20 times at random moments; each next run must migrate to head.
    Before migrations ran in transactions on SQLite, 4 of 20 such kills left a schema that every
    later run refused with "table bodies already exists"."""
    # the database file appears when the first run starts migrating: time how long they take
    migrating = _migration_time(tmp_path / "timed.db")
    rng = random.Random(14)
    expected = db.objects_at_revision(db.head_revision(f"sqlite:///{tmp_path}/timed.db"))
    states = []
    for n in range(20):
        url = f"sqlite:///{tmp_path}/killed{n}.db"
        process = _start_upgrade(tmp_path / f"killed{n}.db")
        time.sleep(rng.uniform(0, 0.5) * migrating)
        process.send_signal(signal.SIGKILL)
        process.wait()
        path = tmp_path / f"killed{n}.db"
        states.append(db.current_revision(db.make_engine(url)) if path.exists() else "no file")
        engine = db.ensure_schema(url)  # the next run
        assert db.current_revision(engine) == db.head_revision(url)
        assert db.schema_objects(engine) == expected
        engine.dispose()
    # the kills did land during the migrations, not only before or after them
    assert any(state not in ("no file", db.head_revision(url)) for state in states), states


def _half_built(tmp_path, *, data: bool) -> str:
    """What an interrupted migration of an older govreports left: the tables of revision 0002
    and no version stamp (its DDL ran outside any transaction)."""
    url = f"sqlite:///{tmp_path}/half.db"
    db.upgrade(url, "0002")
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
        if data:
            conn.exec_driver_sql("INSERT INTO bodies (name) VALUES ('东营市人民政府')")
    engine.dispose()
    return url


def test_an_empty_database_half_built_by_an_older_version_is_rebuilt(tmp_path):
    url = _half_built(tmp_path, data=False)
    engine = db.ensure_schema(url)
    assert db.current_revision(engine) == db.head_revision(url)
    assert db.schema_objects(engine) == db.objects_at_revision(db.head_revision(url))


def test_a_half_migrated_database_holding_data_is_refused_with_the_fix_named(tmp_path):
    url = _half_built(tmp_path, data=True)
    with pytest.raises(db.SchemaError) as refused:
        db.ensure_schema(url)
    message = str(refused.value)
    assert "half-migrated" in message and "revision none: unexpected bodies" in message
    assert "restore it from a backup" in message
    engine = db.make_engine(url)
    with engine.connect() as conn:  # refused, not touched
        assert conn.exec_driver_sql("SELECT name FROM bodies").scalars().all() == ["东营市人民政府"]


def test_half_added_columns_are_told_apart_from_the_revision_stamped(tmp_path):
    url = f"sqlite:///{tmp_path}/cols.db"
    db.upgrade(url, "0002")
    engine = db.make_engine(url)
    with engine.begin() as conn:  # 0003 killed after its first ADD COLUMN, by an older version
        conn.exec_driver_sql("ALTER TABLE crawl_runs ADD COLUMN pages INTEGER DEFAULT 0 NOT NULL")
        conn.exec_driver_sql("INSERT INTO bodies (name) VALUES ('东营市人民政府')")
    with pytest.raises(db.SchemaError, match=r"revision 0002: unexpected crawl_runs\.pages"):
        db.ensure_schema(url)


def test_a_database_of_a_newer_revision_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path}/newer.db"
    engine = db.ensure_schema(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    with pytest.raises(db.SchemaError, match="is at revision 0999, newer than this govreports knows"):
        db.ensure_schema(url)
