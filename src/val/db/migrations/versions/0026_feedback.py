"""Victims' feedback: one-time links (their hash) and the answers

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 13:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from val.db.base import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_links",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_feedback_links_case_id", "feedback_links", ["case_id"])
    op.create_table(
        "feedback_answers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("satisfaction", sa.SmallInteger(), nullable=False),
        sa.Column("told_once", sa.String(length=10), nullable=False),
        sa.Column("listened_to", sa.String(length=10), nullable=False),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("crime_type", sa.String(length=40), nullable=False),
        sa.Column("policing_area", sa.String(length=40), nullable=False),
    )
    op.create_index("ix_feedback_answers_case_id", "feedback_answers", ["case_id"])
    op.create_index("ix_feedback_answers_answered", "feedback_answers", ["answered_on"])


def downgrade() -> None:
    op.drop_table("feedback_answers")
    op.drop_table("feedback_links")
