"""Alembic environment: runs migrations against the URL set by crawler.storage.db.alembic_config
(or GOVREPORTS_DATABASE_URL when the alembic CLI is used with migrations/alembic.ini).

The engine is crawler.storage.db.make_engine's, the same set-up as the crawl's: on SQLite too,
each migration runs in one real transaction with its version stamp, so a migration killed midway
is rolled back as a whole (SQLite's DDL is transactional once pysqlite stops managing BEGIN)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import pool

from crawler.storage.db import make_engine
from crawler.storage.models import Base

config = context.config
if not config.get_main_option("sqlalchemy.url"):
    url = os.environ.get("GOVREPORTS_DATABASE_URL", "sqlite:///data/govreports.db")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None  # set above when alembic.ini names none
    engine = make_engine(url, migrating=True, poolclass=pool.NullPool)
    with engine.connect() as connection:
        # batch mode: SQLite cannot ALTER most things in place. transactional_ddl: SQLite's DDL is
        # transactional here (see make_engine), so Alembic may wrap each migration and its stamp
        # in one transaction as it does on PostgreSQL.
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            transactional_ddl=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
