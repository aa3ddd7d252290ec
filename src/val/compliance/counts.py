"""The Board's counts of points (`compliance_point_counts`): kept by triggers as +1/−1 rows, summed up here."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from val.compliance.models import CompliancePointCount

_KEYS = 'trigger_date, code, "right", agency, enhanced, policing_area, age_band, crime_type, status, due_on'

# One statement, so one snapshot: the rows it deletes are exactly the rows it sums. Rows other transactions
# add meanwhile are not visible to it and stay for the next run. The advisory lock makes a second run (a
# second beat) wait, then sum only what is new.
_COMPACT_POSTGRESQL = f"""
WITH moved AS (DELETE FROM compliance_point_counts RETURNING {_KEYS}, n)
INSERT INTO compliance_point_counts ({_KEYS}, n)
SELECT {_KEYS}, sum(n) FROM moved GROUP BY {_KEYS} HAVING sum(n) <> 0
"""
# SQLite has one writer at a time and VAL's transactions take the write lock when they begin, so nothing can
# add rows between these two statements.
_COMPACT_SQLITE = (
    f"INSERT INTO compliance_point_counts ({_KEYS}, n) SELECT {_KEYS}, sum(n) FROM compliance_point_counts "
    f"WHERE id <= :last GROUP BY {_KEYS} HAVING sum(n) <> 0",
    "DELETE FROM compliance_point_counts WHERE id <= :last",
)


def compact_counts(session: Session) -> int:
    """Replace the +1/−1 rows with one row per grouping, status and due date; returns the rows left. The
    figures read the same before and after: this only keeps the table small."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('compliance_point_counts'))"))
        session.execute(text(_COMPACT_POSTGRESQL))
    else:
        last = session.scalar(select(func.max(CompliancePointCount.id)))
        if last is not None:
            for statement in _COMPACT_SQLITE:
                session.execute(text(statement), {"last": last})
    return session.scalar(select(func.count()).select_from(CompliancePointCount)) or 0
