"""What the Board pack reads of the database beyond the compliance summary and the return: the one module of
the pack that speaks SQL (docs/architecture.md, "One way to the database"). Only non-identifying columns."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.cases.models import Case
from val.compliance.models import CompliancePoint
from val.compliance.store import effective_status_column


def received_between(session: Session, start: dt.datetime, end: dt.datetime) -> list[tuple[str, str]]:
    """(crime types key, policing area) of each case received in [start, end)."""
    rows = session.execute(
        select(Case.crime_types_key, Case.policing_area).where(
            Case.received_at >= start, Case.received_at < end
        )
    )
    return [(key, area) for key, area in rows]


def points_of_code(
    session: Session, code: str, first: dt.date, last: dt.date, today: dt.date
) -> list[tuple[str, dt.date, dt.datetime | None]]:
    """(status as of `today`, trigger date, fulfilled at) of each point of `code` triggered from `first` to
    `last`."""
    status = effective_status_column(today)
    rows = session.execute(
        select(status, CompliancePoint.trigger_date, CompliancePoint.fulfilled_at).where(
            CompliancePoint.code == code, CompliancePoint.trigger_date.between(first, last)
        )
    )
    return [(s, trigger, fulfilled) for s, trigger, fulfilled in rows]
