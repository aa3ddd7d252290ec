"""Signing secrets are stored sealed: room for a Fernet token

`val db upgrade` (and `val run`) seal any secret still stored plain once the columns are wide enough.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("providers", schema=None) as batch_op:
        for column in ("signing_secret", "previous_signing_secret"):
            batch_op.alter_column(column, type_=sa.String(length=300), existing_type=sa.String(length=100))


def downgrade() -> None:
    with op.batch_alter_table("providers", schema=None) as batch_op:
        for column in ("signing_secret", "previous_signing_secret"):
            batch_op.alter_column(column, type_=sa.String(length=100), existing_type=sa.String(length=300))
