"""Each assignment counts the webhooks sent about it, so every event carries a sequence number per assignment

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assignments", sa.Column("events_sent", sa.Integer(), server_default="0", nullable=False))
    # Events sent before the count existed carry no sequence; the count starts after them, so every later event's
    # number is greater than anything the provider has seen.
    op.execute(
        "UPDATE assignments SET events_sent = ("
        "SELECT count(*) FROM webhook_deliveries WHERE webhook_deliveries.assignment_id = assignments.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("events_sent")
