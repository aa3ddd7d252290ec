"""One road for background work: the webhook deliveries table is the outbox; outbox_messages goes

Every committed fact that needs asynchronous work already writes a delivery row in its own transaction;
the `referral.received` rows had no consumer.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import val.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_unpublished")
    op.drop_table("outbox_messages")


def downgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", val.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", val.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("processed_at", val.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_messages_unpublished", ["published_at", "created_at"], unique=False)
