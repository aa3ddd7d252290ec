"""Coordinators search by a postcode district, a given name alone and a date of birth: an index for each

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

DISTRICT = "substr(upper(replace(postcode, ' ', '')), 1, length(upper(replace(postcode, ' ', ''))) - 3)"


def upgrade() -> None:
    op.create_index("ix_victims_postcode_district", "victims", [sa.text(DISTRICT)])
    op.create_index("ix_victims_given_name_lower", "victims", [sa.text("lower(given_name)")])
    op.create_index("ix_victims_date_of_birth", "victims", ["date_of_birth"])


def downgrade() -> None:
    op.drop_index("ix_victims_date_of_birth", table_name="victims")
    op.drop_index("ix_victims_given_name_lower", table_name="victims")
    op.drop_index("ix_victims_postcode_district", table_name="victims")
