"""Alerts in the database: the one module of this feature that speaks SQL (docs/architecture.md, "One way to
the database"). It takes a session and plain values and returns plain values, never mapped objects."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from val.alerts.models import Alert
from val.db.base import table_of
from val.db.deferred import insert_row
from val.db.paging import Page, keyset, page_of

_ALERTS = table_of(Alert)
_INSERT = insert(_ALERTS)
_COLUMNS = (
    Alert.id,
    Alert.kind,
    Alert.case_id,
    Alert.case_reference,
    Alert.assignment_id,
    Alert.delivery_id,
    Alert.detail,
    Alert.created_at,
    Alert.resolved_at,
)


@dataclass(frozen=True)
class AlertRecord:
    id: uuid.UUID
    kind: str
    case_id: uuid.UUID | None
    case_reference: str | None
    assignment_id: uuid.UUID | None
    delivery_id: uuid.UUID | None
    detail: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None


def _record(row: Row[*tuple[Any, ...]]) -> AlertRecord:
    return AlertRecord(**row._asdict())


def add(session: Session, **values: Any) -> None:
    """A new alert, written with the unit of work's other rows (one executemany within a batch)."""
    insert_row(session, _INSERT, values)


def page(session: Session, *, only_open: bool, limit: int, after: list[Any] | None) -> Page[AlertRecord]:
    """Newest first, `limit` at a time, after the alert whose (created_at, id) was `after`."""
    query = select(*_COLUMNS)
    if only_open:
        query = query.where(Alert.resolved_at.is_(None))
    query = keyset(query, [Alert.created_at, Alert.id], descending=True, after=after).limit(limit + 1)
    rows = [_record(row) for row in session.execute(query)]
    return page_of(rows, limit, lambda a: [a.created_at, a.id])


def locked(session: Session, alert_id: uuid.UUID) -> AlertRecord | None:
    """The alert, locked until the unit of work ends; None when there is none with this id."""
    row = session.execute(select(*_COLUMNS).where(Alert.id == alert_id).with_for_update()).first()
    return _record(row) if row is not None else None


def mark_resolved(session: Session, alert_id: uuid.UUID, at: dt.datetime) -> None:
    session.execute(
        update(_ALERTS)
        .where(_ALERTS.c.id == alert_id, _ALERTS.c.resolved_at.is_(None))
        .values(resolved_at=at)
    )


def is_open(session: Session, kind: str, detail: str) -> bool:
    """Whether an alert of this kind and detail is still open."""
    found = session.scalar(
        select(Alert.id)
        .where(Alert.kind == kind, Alert.detail == detail, Alert.resolved_at.is_(None))
        .limit(1)
    )
    return found is not None


def resolve_open(session: Session, kind: str, detail: str, at: dt.datetime) -> None:
    session.execute(
        update(_ALERTS)
        .where(_ALERTS.c.kind == kind, _ALERTS.c.detail == detail, _ALERTS.c.resolved_at.is_(None))
        .values(resolved_at=at)
    )
