"""Intake credentials bound to their source systems; anonymised cases keep no duplicate key

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 08:30:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

from val.db.base import PortableJSON

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_systems", PortableJSON, nullable=True))
    connection = op.get_bind()
    # An intake key keeps sending for the systems it has already sent for; one that sent nothing is bound to
    # nothing until an admin binds it (`val credentials bind`).
    sent = connection.execute(
        sa.text(
            "SELECT DISTINCT c.submitted_by, lower(trim(c.source_system)) FROM cases c "
            "JOIN credentials k ON k.id = c.submitted_by WHERE k.role = 'intake'"
        )
    ).all()
    systems: dict[uuid.UUID, set[str]] = {}
    for credential_id, system in sent:
        systems.setdefault(uuid.UUID(str(credential_id)), set()).add(system)
    credentials = sa.table("credentials", sa.column("id", sa.Uuid), sa.column("source_systems", PortableJSON))
    for credential_id, names in systems.items():
        connection.execute(
            credentials.update()
            .where(credentials.c.id == sa.bindparam("credential_id"))
            .values(source_systems=sa.bindparam("names", type_=PortableJSON)),
            {"credential_id": credential_id, "names": sorted(names)},
        )
    # The duplicate key is derived from the police reference and the date of birth: anonymising erases it.
    op.execute(
        "UPDATE cases SET duplicate_key = 'anonymised-' || "
        + ("replace(CAST(id AS text), '-', '')" if connection.dialect.name == "postgresql" else "id")
        + " WHERE anonymised_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_column("source_systems")
