"""Each case has a secret of its own that keys its ETag, so a version cannot be guessed from the case's id

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("etag_secret", sa.String(length=32), nullable=True))
    # Every existing case gets 128 random bits: PostgreSQL's gen_random_uuid, SQLite's randomblob.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE cases SET etag_secret = replace(gen_random_uuid()::text, '-', '')")
    else:
        op.execute("UPDATE cases SET etag_secret = lower(hex(randomblob(16)))")


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("etag_secret")
