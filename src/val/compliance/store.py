"""Victims' Code points, case events and the Board's counts in the database: the one module of compliance that
speaks SQL (docs/architecture.md, "One way to the database"). Plain values in, frozen records out; a point's
status changes only through `move`, `set_aside` and `sweep`, each through the transition table."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, insert, select, text, update
from sqlalchemy.orm import Session

from val.calendar import london_date
from val.cases.models import Case
from val.compliance.models import CaseEvent, CompliancePoint, CompliancePointCount
from val.compliance.rules import OPEN_STATUSES, POINT_TRANSITIONS, PointStatus
from val.compliance.suppression import STATUS_COLUMNS
from val.db.base import table_of, utcnow
from val.db.deferred import insert_row
from val.db.paging import Page, keyset, page_of
from val.db.records import columns_for, record_of, row_of
from val.db.transitions import move_all, transition


@dataclass(frozen=True)
class PointRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    event_id: uuid.UUID | None
    code: str
    right: int | None
    agency: str
    trigger_event: str
    triggered_at: dt.datetime
    trigger_date: dt.date
    due_on: dt.date
    status: str
    reason: str | None
    fulfilled_at: dt.datetime | None
    enhanced: bool
    policing_area: str
    age_band: str
    crime_type: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class EventRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    type: str
    occurred_at: dt.datetime
    details: dict[str, Any]
    recorded_at: dt.datetime
    recorded_by: uuid.UUID


POINT_COLUMNS = columns_for(CompliancePoint, PointRecord)
EVENT_COLUMNS = columns_for(CaseEvent, EventRecord)
_INSERT_POINT = insert(table_of(CompliancePoint))
_INSERT_EVENT = insert(table_of(CaseEvent))


def effective_status_column(
    today: dt.date | ColumnElement[dt.date],
    table: type[CompliancePoint] | type[CompliancePointCount] = CompliancePoint,
) -> ColumnElement[str]:
    """`val.compliance.rules.effective_status` in SQL, its twin (a test holds them to the same answers): a
    pending point past its due date reads as missed (of the points, or of their counts, which keep status and
    due date for this). `today` may be a bound parameter, for statements built once."""
    overdue = and_(table.status == PointStatus.PENDING.value, table.due_on < today)
    return case((overdue, PointStatus.MISSED.value), else_=table.status)


def _points(rows: Any) -> list[PointRecord]:
    return [record_of(PointRecord, row) for row in rows]


def add_points(session: Session, rows: list[dict[str, Any]]) -> None:
    """One statement for all of them (executemany; with the batch's other rows, within a batch)."""
    if rows:
        insert_row(session, _INSERT_POINT, rows)


def add_event(session: Session, event: EventRecord) -> None:
    session.execute(_INSERT_EVENT, row_of(event))


def point(session: Session, point_id: uuid.UUID, *, for_update: bool = False) -> PointRecord | None:
    query = select(*POINT_COLUMNS).where(CompliancePoint.id == point_id)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).first()
    return record_of(PointRecord, row) if row is not None else None


def points_of_case(session: Session, case_id: uuid.UUID) -> list[PointRecord]:
    """The case's points in the order they opened."""
    return _points(
        session.execute(
            select(*POINT_COLUMNS)
            .where(CompliancePoint.case_id == case_id)
            .order_by(CompliancePoint.triggered_at, CompliancePoint.code)
        )
    )


def codes_opened(session: Session, case_id: uuid.UUID) -> frozenset[str]:
    return frozenset(session.scalars(select(CompliancePoint.code).where(CompliancePoint.case_id == case_id)))


def open_of_code(
    session: Session, case_id: uuid.UUID, code: str, triggered_by: dt.datetime
) -> list[PointRecord]:
    """The case's open points of one code opened by `triggered_by`."""
    return _points(
        session.execute(
            select(*POINT_COLUMNS).where(
                CompliancePoint.case_id == case_id,
                CompliancePoint.code == code,
                CompliancePoint.status.in_(OPEN_STATUSES),
                CompliancePoint.triggered_at <= triggered_by,
            )
        )
    )


def set_aside_for(
    session: Session, case_id: uuid.UUID, code: str, reasons: tuple[str, ...]
) -> list[PointRecord]:
    """The case's points of one code set aside (not applicable) for one of `reasons`."""
    return _points(
        session.execute(
            select(*POINT_COLUMNS).where(
                CompliancePoint.case_id == case_id,
                CompliancePoint.code == code,
                CompliancePoint.status == PointStatus.NOT_APPLICABLE.value,
                CompliancePoint.reason.in_(reasons),
            )
        )
    )


def events_of_case(session: Session, case_id: uuid.UUID) -> list[EventRecord]:
    return [
        record_of(EventRecord, row)
        for row in session.execute(select(*EVENT_COLUMNS).where(CaseEvent.case_id == case_id))
    ]


def move(session: Session, point: PointRecord, target: PointStatus, **values: Any) -> None:
    """Change one point's status as the transition table allows, guarded by the status it was read in."""
    transition(
        session,
        CompliancePoint,
        POINT_TRANSITIONS,
        point.status,
        target,
        CompliancePoint.id == point.id,
        **values,
    )


def set_aside(session: Session, case_id: uuid.UUID, code: str, reason: str, now: dt.datetime) -> int:
    """The case's open points of one code no longer apply (the referral point once consent is refused)."""
    return move_all(
        session,
        CompliancePoint,
        POINT_TRANSITIONS,
        POINT_TRANSITIONS.sources_of(PointStatus.NOT_APPLICABLE),
        PointStatus.NOT_APPLICABLE,
        CompliancePoint.case_id == case_id,
        CompliancePoint.code == code,
        reason=reason,
        updated_at=now,
    )


def sweep(session: Session, today: dt.date, now: dt.datetime) -> int:
    """Pending points due before `today` become missed: one UPDATE, so two overlapping sweeps cannot
    double-count anything."""
    return move_all(
        session,
        CompliancePoint,
        POINT_TRANSITIONS,
        PointStatus.PENDING,
        PointStatus.MISSED,
        CompliancePoint.due_on < today,
        updated_at=now,
    )


def refresh_earliest_due(session: Session, case_id: uuid.UUID) -> None:
    """The case's earliest open due date, from its points (the work queue orders and filters by it)."""
    earliest = (
        select(func.min(CompliancePoint.due_on))
        .where(CompliancePoint.case_id == case_id, CompliancePoint.status.in_(OPEN_STATUSES))
        .scalar_subquery()
    )
    session.execute(update(Case).where(Case.id == case_id).values(earliest_open_due_on=earliest))


def page_of_points(
    session: Session,
    *,
    status: str | None,
    due_before: dt.date | None,
    agency: str | None,
    right: int | None,
    today: dt.date,
    limit: int,
    after: list[Any] | None,
) -> Page[PointRecord]:
    """Points by due date, with the filters given; `status` as of `today` (a pending point past due is missed)."""
    query = select(*POINT_COLUMNS)
    if status:
        query = query.where(effective_status_column(today) == status)
    if due_before:
        query = query.where(CompliancePoint.due_on < due_before)
    if agency:
        query = query.where(CompliancePoint.agency == agency)
    if right is not None:
        query = query.where(CompliancePoint.right == right)
    keys = [CompliancePoint.due_on, CompliancePoint.id]
    query = keyset(query, keys, descending=False, after=after).limit(limit + 1)
    return page_of(_points(session.execute(query)), limit, lambda p: [p.due_on, p.id])


# --- The Board's counts (`compliance_point_counts`): kept by triggers as +1/−1 rows, summed up here ---------------

GROUP_COLUMNS = {
    "right": CompliancePointCount.right,
    "code": CompliancePointCount.code,
    "agency": CompliancePointCount.agency,
    "crime_type": CompliancePointCount.crime_type,
    "enhanced": CompliancePointCount.enhanced,
    "policing_area": CompliancePointCount.policing_area,
    "age_band": CompliancePointCount.age_band,
}
COUNTED = (*STATUS_COLUMNS, "not_applicable")


def raw_counts(
    session: Session, date_from: dt.date, date_to: dt.date, group_by: list[str], today: dt.date | None = None
) -> list[tuple[dict[str, Any], dict[str, int]]]:
    """Unsuppressed counts per group, by the London date of each point's trigger (inclusive period). A pending
    point past its due date counts as missed on `today` (London's, by default), whether or not the sweep has
    recorded it."""
    columns = [GROUP_COLUMNS[name].label(name) for name in group_by]
    status = effective_status_column(today or london_date(utcnow()), CompliancePointCount)
    counts = [
        func.sum(case((status == value, CompliancePointCount.n), else_=0)).label(value) for value in COUNTED
    ]
    # From the counts the triggers keep, not from every point: the same figures at a fraction of the rows.
    query = select(*columns, *counts).where(CompliancePointCount.trigger_date.between(date_from, date_to))
    if columns:
        query = query.group_by(*columns).order_by(*columns)
    result = []
    for row in session.execute(query):
        values = row._mapping
        tallies = {status: int(values[status] or 0) for status in COUNTED}
        if columns or any(tallies.values()):
            result.append(({name: values[name] for name in group_by}, tallies))
    return result


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
