"""Same-person links: a coordinator's confirmation that two cases are about one victim

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from val.db.base import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "same_person_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("other_case_id", sa.Uuid(), nullable=False),
        sa.Column("confirmed_by", sa.Uuid(), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_same_person_links_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["other_case_id"], ["cases.id"], name=op.f("fk_same_person_links_other_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_same_person_links")),
        sa.UniqueConstraint(
            "case_id", "other_case_id", name=op.f("uq_same_person_links_case_id_other_case_id")
        ),
    )
    op.create_index("ix_same_person_links_other", "same_person_links", ["other_case_id"])


def downgrade() -> None:
    op.drop_index("ix_same_person_links_other", table_name="same_person_links")
    op.drop_table("same_person_links")
