"""Audit events may say more than their action: the URL an endpoint was set to, a report's period

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: the table's append-only triggers stay as they are.
    op.add_column("audit_events", sa.Column("detail", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("detail")
