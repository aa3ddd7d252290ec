"""Victims' Code points and case events in the database, as frozen records (docs/architecture.md, "One way to
the database"). The reads other features need of compliance live here; compliance's own writes still live in
its service modules (`duties`, `service`) until they move here too."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from val.compliance.models import CaseEvent, CompliancePoint
from val.db.base import table_of
from val.db.records import columns_for, record_of


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


def points_of_case(session: Session, case_id: uuid.UUID) -> list[PointRecord]:
    """The case's points in the order they opened."""
    rows = session.execute(
        select(*POINT_COLUMNS)
        .where(CompliancePoint.case_id == case_id)
        .order_by(CompliancePoint.triggered_at, CompliancePoint.code)
    )
    return [record_of(PointRecord, row) for row in rows]


def events_of_case(session: Session, case_id: uuid.UUID) -> list[EventRecord]:
    rows = session.execute(select(*EVENT_COLUMNS).where(CaseEvent.case_id == case_id))
    return [record_of(EventRecord, row) for row in rows]


_INSERT_EVENT = insert(table_of(CaseEvent))


def add_event(session: Session, event: EventRecord) -> None:
    session.execute(_INSERT_EVENT, dataclasses.asdict(event))
