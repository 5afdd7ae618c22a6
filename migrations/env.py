"""Alembic environment: runs migrations against the URL set by crawler.storage.db.alembic_config
(or GOVREPORTS_DATABASE_URL when the alembic CLI is used with migrations/alembic.ini)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import engine_from_config, pool

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
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        # batch mode: SQLite cannot ALTER most things in place
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, compare_type=True
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
