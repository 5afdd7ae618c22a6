"""long canonical URLs and body names as TEXT, not VARCHAR(1000)/VARCHAR(200), which PostgreSQL
enforces

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 01:45:00

A download URL naming its file in Chinese, percent-encoded (`downfile.jsp?…&filename=…`), or a
list's report URL with a long query passes 1000 characters; a body name read off an odd title
passes 200. PostgreSQL refused such a report on every run (a `refused_report` failure, the
report never stored) where SQLite took it. As in 0005, the analyst views are dropped and created
again around the change (PostgreSQL cannot change the type of a column a view uses).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crawler.storage.views import narrow_from_text, widen_to_text

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (table, column, old type)
WIDENED = (
    ("reports", "canonical_url", sa.String(1000)),
    ("documents", "canonical_url", sa.String(1000)),
    ("bodies", "name", sa.String(200)),
)


def upgrade() -> None:
    widen_to_text(op, WIDENED)


def downgrade() -> None:
    narrow_from_text(op, WIDENED)
