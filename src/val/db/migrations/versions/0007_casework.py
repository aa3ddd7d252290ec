"""Casework: owners, versions and closure on cases; contact attempts, notes and case activity; search keys

Existing cases get their queue copies (risk level, enhanced rights, crime types, earliest open due date) and
their victims' search keys filled in.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 00:56:42
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

import val.db.base
from val.cases.normalise import family_name_key, phone_e164

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_activity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("at", val.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_activity_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_activity")),
    )
    with op.batch_alter_table("case_activity", schema=None) as batch_op:
        batch_op.create_index("ix_case_activity_case_at", ["case_id", "at"], unique=False)

    op.create_table(
        "case_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", val.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("corrects", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_notes_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index("ix_case_notes_case_created", ["case_id", "created_at"], unique=False)

    op.create_table(
        "contact_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("at", val.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", val.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_contact_attempts_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_attempts")),
    )
    with op.batch_alter_table("contact_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_contact_attempts_case_at", ["case_id", "at"], unique=False)

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_count", sa.Integer(), nullable=True))

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("closed_at", val.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closure_outcome", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("risk_level", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("enhanced_rights", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("crime_types_key", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("earliest_open_due_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            "ix_cases_queue_due", ["earliest_open_due_on", "received_at", "number"], unique=False
        )
        batch_op.create_index(
            "ix_cases_queue_risk",
            ["risk_level", "earliest_open_due_on", "received_at", "number"],
            unique=False,
        )

    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "family_name_key",
                sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("phone_e164", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_victims_family_name_key"), ["family_name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_victims_phone_e164"), ["phone_e164"], unique=False)
    op.create_index("ix_cases_source_reference_lower", "cases", [sa.text("lower(source_reference)")])
    _backfill()


def _backfill() -> None:
    bind = op.get_bind()
    triage = bind.execute(
        sa.text("SELECT case_id, risk_level, enhanced_rights, crime_types FROM triage_decisions")
    )
    for case_id, risk_level, enhanced, crime_types in triage.all():
        types = crime_types if isinstance(crime_types, list) else json.loads(crime_types)
        bind.execute(
            sa.text(
                "UPDATE cases SET risk_level = :r, enhanced_rights = :e, crime_types_key = :k WHERE id = :id"
            ),
            {"r": risk_level, "e": enhanced, "k": "|" + "|".join(types) + "|", "id": case_id},
        )
    bind.execute(
        sa.text(
            "UPDATE cases SET earliest_open_due_on = (SELECT min(due_on) FROM compliance_points p "
            "WHERE p.case_id = cases.id AND p.status IN ('pending', 'missed'))"
        )
    )
    victims = bind.execute(sa.text("SELECT id, family_name, contact FROM victims"))
    for victim_id, family_name, contact in victims.all():
        contact = contact if isinstance(contact, dict) else json.loads(contact or "{}")
        bind.execute(
            sa.text("UPDATE victims SET family_name_key = :f, phone_e164 = :p WHERE id = :id"),
            {"f": family_name_key(family_name), "p": phone_e164(contact.get("phone")), "id": victim_id},
        )


def downgrade() -> None:
    op.drop_index("ix_cases_source_reference_lower", table_name="cases")
    with op.batch_alter_table("victims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_victims_phone_e164"))
        batch_op.drop_index(batch_op.f("ix_victims_family_name_key"))
        batch_op.drop_column("phone_e164")
        batch_op.drop_column("family_name_key")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_queue_risk")
        batch_op.drop_index("ix_cases_queue_due")
        batch_op.drop_index(batch_op.f("ix_cases_owner_id"))
        batch_op.drop_column("earliest_open_due_on")
        batch_op.drop_column("crime_types_key")
        batch_op.drop_column("enhanced_rights")
        batch_op.drop_column("risk_level")
        batch_op.drop_column("closure_outcome")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("version")
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("result_count")

    with op.batch_alter_table("contact_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_attempts_case_at")

    op.drop_table("contact_attempts")
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_case_notes_case_created")

    op.drop_table("case_notes")
    with op.batch_alter_table("case_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_case_activity_case_at")

    op.drop_table("case_activity")
