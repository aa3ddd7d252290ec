"""Referrals taken in by `val import`, counted for the intake metric (the command ends before any scrape)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_tallies",
        sa.Column("channel", sa.String(length=20), primary_key=True),
        sa.Column("outcome", sa.String(length=20), primary_key=True),
        sa.Column("count", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("intake_tallies")
