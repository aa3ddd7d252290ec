"""Same-person links keep why they were made when the details differ, and can be undone, with a reason

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 08:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from val.db.base import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("same_person_links", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column("same_person_links", sa.Column("undone_at", UTCDateTime(), nullable=True))
    op.add_column("same_person_links", sa.Column("undone_by", sa.Uuid(), nullable=True))
    op.add_column("same_person_links", sa.Column("undo_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("same_person_links", schema=None) as batch_op:
        for name in ("undo_reason", "undone_by", "undone_at", "reason"):
            batch_op.drop_column(name)
