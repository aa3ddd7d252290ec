"""Assignments remember when their provider was reminded

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 07:23:46.466617
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import val.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_at", val.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
