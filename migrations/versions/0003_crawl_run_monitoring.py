"""crawl run monitoring

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:47:25.397760
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("failures_count", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("failure_rate", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("exit_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("summary", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("summary")
        batch_op.drop_column("exit_reason")
        batch_op.drop_column("failure_rate")
        batch_op.drop_column("failures_count")
        batch_op.drop_column("pages")
