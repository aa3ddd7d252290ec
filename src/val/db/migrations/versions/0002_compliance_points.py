"""Compliance points and case events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 06:37:21.512964
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import val.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", val.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("recorded_at", val.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_events_case_id"), ["case_id"], unique=False)

    op.create_table(
        "compliance_points",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("right", sa.Integer(), nullable=True),
        sa.Column("agency", sa.String(length=30), nullable=False),
        sa.Column("trigger_event", sa.String(length=40), nullable=False),
        sa.Column("triggered_at", val.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trigger_date", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("fulfilled_at", val.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("enhanced", sa.Boolean(), nullable=False),
        sa.Column("policing_area", sa.String(length=40), nullable=False),
        sa.Column("age_band", sa.String(length=10), nullable=False),
        sa.Column("crime_type", sa.String(length=40), nullable=False),
        sa.Column("updated_at", val.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_compliance_points_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_events.id"], name=op.f("fk_compliance_points_event_id_case_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_points")),
    )
    with op.batch_alter_table("compliance_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_compliance_points_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_compliance_points_status_due_on", ["status", "due_on"], unique=False)
        batch_op.create_index("ix_compliance_points_trigger_date", ["trigger_date"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("compliance_points", schema=None) as batch_op:
        batch_op.drop_index("ix_compliance_points_trigger_date")
        batch_op.drop_index("ix_compliance_points_status_due_on")
        batch_op.drop_index(batch_op.f("ix_compliance_points_case_id"))

    op.drop_table("compliance_points")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_case_id"))

    op.drop_table("case_events")
