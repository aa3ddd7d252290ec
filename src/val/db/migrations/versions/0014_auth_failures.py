"""Failed authentications, counted in the database where there is no Redis (the embedded mode)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from val.db.base import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_failures")),
    )
    op.create_index("ix_auth_failures_client_at", "auth_failures", ["client", "at"])


def downgrade() -> None:
    op.drop_index("ix_auth_failures_client_at", table_name="auth_failures")
    op.drop_table("auth_failures")
