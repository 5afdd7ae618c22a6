"""analyst views: report_summary, metric_values, open_findings

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:00:00
"""

from __future__ import annotations

from alembic import op

from crawler.storage.views import create_views, drop_views

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_views(op.execute)


def downgrade() -> None:
    drop_views(op.execute)
