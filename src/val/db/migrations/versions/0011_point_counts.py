"""Counts of compliance points per Board grouping, kept by triggers in the same transaction as the points

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

KEYS = 'trigger_date, code, "right", agency, enhanced, policing_area, age_band, crime_type, status, due_on'


def _values(row: str, n: int) -> str:
    return ", ".join(f"{row}.{key.strip()}" for key in KEYS.split(",")) + f", {n}"


# PostgreSQL: statement-level triggers with transition tables, so a statement touching many points adds one
# row per grouping it changed, not one per point. An UPDATE that leaves every key alone adds nothing.
POSTGRESQL = f"""
CREATE FUNCTION compliance_point_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO compliance_point_counts ({KEYS}, n)
  SELECT {KEYS}, count(*) FROM new_rows GROUP BY {KEYS};
  RETURN NULL;
END $$;
CREATE FUNCTION compliance_point_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO compliance_point_counts ({KEYS}, n)
  SELECT {KEYS}, -count(*) FROM old_rows GROUP BY {KEYS};
  RETURN NULL;
END $$;
CREATE FUNCTION compliance_point_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO compliance_point_counts ({KEYS}, n)
  SELECT {KEYS}, sum(n) FROM (
    SELECT {KEYS}, -1 AS n FROM old_rows UNION ALL SELECT {KEYS}, 1 AS n FROM new_rows
  ) AS changed GROUP BY {KEYS} HAVING sum(n) <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER compliance_point_counts_insert AFTER INSERT ON compliance_points
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION compliance_point_counts_inserted();
CREATE TRIGGER compliance_point_counts_delete AFTER DELETE ON compliance_points
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION compliance_point_counts_deleted();
CREATE TRIGGER compliance_point_counts_update AFTER UPDATE ON compliance_points
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION compliance_point_counts_updated();
"""

_CHANGED = " OR ".join(f"OLD.{k.strip()} IS NOT NEW.{k.strip()}" for k in KEYS.split(","))
SQLITE = [
    f"""CREATE TRIGGER compliance_point_counts_insert AFTER INSERT ON compliance_points BEGIN
  INSERT INTO compliance_point_counts ({KEYS}, n) VALUES ({_values("NEW", 1)}); END""",
    f"""CREATE TRIGGER compliance_point_counts_delete AFTER DELETE ON compliance_points BEGIN
  INSERT INTO compliance_point_counts ({KEYS}, n) VALUES ({_values("OLD", -1)}); END""",
    f"""CREATE TRIGGER compliance_point_counts_update AFTER UPDATE ON compliance_points WHEN {_CHANGED} BEGIN
  INSERT INTO compliance_point_counts ({KEYS}, n) VALUES ({_values("OLD", -1)});
  INSERT INTO compliance_point_counts ({KEYS}, n) VALUES ({_values("NEW", 1)}); END""",
]


def upgrade() -> None:
    op.create_table(
        "compliance_point_counts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("trigger_date", sa.Date(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("right", sa.Integer(), nullable=True),
        sa.Column("agency", sa.String(length=30), nullable=False),
        sa.Column("enhanced", sa.Boolean(), nullable=False),
        sa.Column("policing_area", sa.String(length=40), nullable=False),
        sa.Column("age_band", sa.String(length=10), nullable=False),
        sa.Column("crime_type", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_index("ix_compliance_point_counts_trigger_date", "compliance_point_counts", ["trigger_date"])
    # The points already recorded, counted once.
    op.execute(
        f"INSERT INTO compliance_point_counts ({KEYS}, n) "
        f"SELECT {KEYS}, count(*) FROM compliance_points GROUP BY {KEYS}"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL)
    else:
        for statement in SQLITE:
            op.execute(statement)


def downgrade() -> None:
    for event in ("insert", "delete", "update"):
        op.execute(
            f"DROP TRIGGER IF EXISTS compliance_point_counts_{event} ON compliance_points"
            if op.get_bind().dialect.name == "postgresql"
            else f"DROP TRIGGER IF EXISTS compliance_point_counts_{event}"
        )
    if op.get_bind().dialect.name == "postgresql":
        for event in ("inserted", "deleted", "updated"):
            op.execute(f"DROP FUNCTION IF EXISTS compliance_point_counts_{event}()")
    op.drop_index("ix_compliance_point_counts_trigger_date", table_name="compliance_point_counts")
    op.drop_table("compliance_point_counts")
