"""Why a provider declined, as a code the commissioner's return can count

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decline_code", sa.String(length=20), nullable=True))
    # Declines before codes existed are counted as "other".
    op.execute("UPDATE assignments SET decline_code = 'other' WHERE status = 'declined'")


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("decline_code")
