"""long scraped text: report titles (up to crawler.storage.store.TITLE_MAX), attachment names
and source lines as TEXT, not VARCHAR(300)/VARCHAR(200), which PostgreSQL enforces

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 18:00:00

The analyst views read these columns, and PostgreSQL cannot change the type of a column a view
uses: the views are dropped and created again around the change (SQLite rebuilds the tables in
batch mode; its VARCHAR(n) never limited anything).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crawler.storage.views import narrow_from_text, widen_to_text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (table, column, old type)
WIDENED = (
    ("reports", "title", sa.String(300)),
    ("reports", "source", sa.String(200)),
    ("report_versions", "title", sa.String(300)),
    ("documents", "name", sa.String(300)),
)


def upgrade() -> None:
    widen_to_text(op, WIDENED)


def downgrade() -> None:
    narrow_from_text(op, WIDENED)
