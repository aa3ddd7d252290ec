"""Data lifecycle: the repeat-victim hash, what intake found of earlier cases, and anonymisation

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 03:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import val.db.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("match_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_victims_match_key", ["match_key"])
        batch_op.alter_column("date_of_birth", existing_type=sa.Date(), nullable=True)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("repeat_previous_cases", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("repeat_last_received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", val.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("repeat_last_received_on")
        batch_op.drop_column("repeat_previous_cases")
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.alter_column("date_of_birth", existing_type=sa.Date(), nullable=False)
        batch_op.drop_index("ix_victims_match_key")
        batch_op.drop_column("match_key")
