"""The schema: migrations up and down, no drift from the models, metric dictionary sync."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from crawler.parsing.metrics import load_metrics
from crawler.storage import db
from crawler.storage.models import Base, MetricDefinition

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
