"""Coordinators find a case by the victim's postcode: an index on it as searches compare it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_victims_postcode_key", "victims", [sa.text("upper(replace(postcode, ' ', ''))")])


def downgrade() -> None:
    op.drop_index("ix_victims_postcode_key", table_name="victims")
