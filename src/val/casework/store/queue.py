"""The coordinator's work queue and search in the database (docs/casework.md): filters, the priority order,
keyset pages; each item already in its JSON form.

Priority: cases with overdue points first (oldest due first), then high risk, then the nearest due date, then
the oldest received. The order depends on today's date, so no single index can hold it; the queue is read
instead as five slices in turn, each one an index-ordered range scan: overdue; high risk with a due date;
high risk without; the rest with a due date; the rest without."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, false, func, or_, select
from sqlalchemy.orm import Session

from val.auth.store import PRINCIPALS
from val.calendar import LONDON
from val.cases.models import Case, Victim
from val.cases.references import reference_for
from val.cases.repeats import repeat_view
from val.casework.filters import CaseFilters
from val.casework.store.search import search
from val.compliance.models import CompliancePoint
from val.compliance.rules import OPEN_STATUSES, PointStatus
from val.compliance.store import effective_status_column
from val.db.paging import Page, keyset, page_of
from val.db.session import plain_rows
from val.errors import BadCursor
from val.routing.models import Assignment
from val.routing.states import AssignmentStatus

# Assignments that say which services a case has: not the ones declined, expired or withdrawn (replaced).
QUEUE_COLUMNS = (
    Case.id,
    Case.number,
    Case.status,
    Case.received_at,
    Case.crime_types_key,
    Case.risk_level,
    Case.enhanced_rights,
    Case.policing_area,
    Case.owner_id,
    Case.earliest_open_due_on,
    Case.repeat_previous_cases,
    Case.repeat_last_received_on,
)
COUNTED_ROUTES = (
    *[s.value for s in AssignmentStatus if s.value not in ("declined", "expired", "withdrawn")],
)


def _london_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), LONDON).astimezone(dt.UTC)


def _conditions(session: Session, me: uuid.UUID | None, f: CaseFilters, today: dt.date) -> list[Any]:
    where: list[Any] = []
    if f.status:
        where.append(Case.status.in_(f.status))
    if f.crime_type:
        where.append(Case.crime_types_key.contains(f"|{f.crime_type}|", autoescape=True))
    if f.risk_level:
        where.append(Case.risk_level == f.risk_level)
    if f.policing_area:
        where.append(Case.policing_area == f.policing_area)
    if f.enhanced is not None:
        where.append(Case.enhanced_rights.is_(f.enhanced))
    if f.service or f.provider_id:
        routes = select(Assignment.id).where(
            Assignment.case_id == Case.id, Assignment.status.in_(COUNTED_ROUTES)
        )
        if f.service:
            routes = routes.where(Assignment.service == f.service)
        if f.provider_id:
            routes = routes.where(Assignment.provider_id == f.provider_id)
        where.append(exists(routes))
    if f.owner is not None:
        where.append(_owner_condition(session, me, f.owner))
    if f.overdue is not None:
        overdue = Case.earliest_open_due_on < today
        where.append(overdue if f.overdue else or_(Case.earliest_open_due_on.is_(None), ~overdue))
    if f.due_before is not None:
        pending = select(CompliancePoint.id).where(
            CompliancePoint.case_id == Case.id,
            CompliancePoint.status == PointStatus.PENDING.value,
            CompliancePoint.due_on <= f.due_before,
        )
        where.append(exists(pending))
    if f.received_from is not None:
        where.append(Case.received_at >= _london_midnight(f.received_from))
    if f.received_to is not None:
        where.append(Case.received_at < _london_midnight(f.received_to + dt.timedelta(days=1)))
    return where


def _owner_condition(session: Session, me: uuid.UUID | None, owner: str) -> ColumnElement[bool]:
    if owner == "me":
        return Case.owner_id == me
    if owner == "none":
        return Case.owner_id.is_(None)
    owner_ids = list(session.scalars(select(PRINCIPALS.c.id).where(PRINCIPALS.c.name == owner)))
    return Case.owner_id.in_(owner_ids) if owner_ids else false()


def _slices(today: dt.date) -> list[tuple[int, ColumnElement[bool], list[Any]]]:
    """(slice, condition, keys) in priority order; within each, the keys are an index's own order."""
    due, high = Case.earliest_open_due_on, Case.risk_level == "high"
    not_high = or_(Case.risk_level.is_(None), Case.risk_level != "high")
    with_due = and_(due.is_not(None), due >= today)
    return [
        (0, due < today, [due, Case.received_at, Case.number]),
        (1, and_(high, with_due), [due, Case.received_at, Case.number]),
        (2, and_(high, due.is_(None)), [Case.received_at, Case.number]),
        (3, and_(not_high, with_due), [due, Case.received_at, Case.number]),
        (4, and_(not_high, due.is_(None)), [Case.received_at, Case.number]),
    ]


def _by_priority(
    session: Session, base: Any, today: dt.date, limit: int, after: list[Any] | None
) -> tuple[list[Any], list[Any] | None]:
    """Fill the page from the slices in turn; the cursor is (slice, *that slice's keys) of the last row."""
    start = after[0] if after else 0
    if not isinstance(start, int) or isinstance(start, bool) or not 0 <= start <= 4:
        raise BadCursor()
    rows: list[tuple[int, Any]] = []
    for number, condition, keys in _slices(today)[start:]:
        wanted = limit + 1 - len(rows)
        since = after[1:] if after and number == start else None
        query = keyset(base.where(condition), keys, descending=False, after=since).limit(wanted)
        rows += [(number, case) for case in plain_rows(session, query)]
        if len(rows) > limit:
            break
    page = page_of(rows, limit, lambda row: _priority_key(row, today))
    return [case for _, case in page.items], page.next_after


def _slice_of(row: Any, today: dt.date) -> int:
    due, high = row.earliest_open_due_on, row.risk_level == "high"
    if due is not None and due < today:
        return 0
    if high:
        return 1 if due is not None else 2
    return 3 if due is not None else 4


def _ordered_here(
    session: Session, query: Any, sort: str, today: dt.date, limit: int, after: list[Any] | None
) -> tuple[list[Any], list[Any] | None]:
    """The few cases a search found, put in the queue's order here: the same keys and cursors as the
    database's slices, without asking the database to walk its indexes for a handful of rows."""
    if sort == "priority":
        keyed = [
            (_priority_key((_slice_of(row, today), row), today), row) for row in plain_rows(session, query)
        ]
    else:
        keyed = [([row.received_at, row.number], row) for row in plain_rows(session, query)]
    descending = sort.startswith("-")
    keyed.sort(key=lambda pair: pair[0], reverse=descending)
    if after is not None:
        try:
            keyed = [p for p in keyed if (p[0] < after if descending else p[0] > after)]
        except TypeError:  # a cursor of another list, or of another order
            raise BadCursor() from None
    page = page_of(keyed, limit, lambda pair: pair[0])
    return [row for _, row in page.items], page.next_after


def _priority_key(row: tuple[int, Any], today: dt.date) -> list[Any]:
    number, case = row
    if number in (2, 4):
        return [number, case.received_at, case.number]
    return [number, case.earliest_open_due_on, case.received_at, case.number]


def page_of_cases(
    session: Session,
    me: uuid.UUID | None,
    filters: CaseFilters,
    *,
    sort: str,
    limit: int,
    after: list[Any] | None,
    today: dt.date,
) -> Page[dict[str, Any]]:
    """One page of the work queue; `me` is the asking coordinator's credential (for `owner=me`)."""
    # Plain rows of the columns an item needs, not ORM objects: the queue is read all day.
    base = select(*QUEUE_COLUMNS).where(*_conditions(session, me, filters, today))
    found = search(session, filters.q) if filters.q else None
    if isinstance(found, list):
        cases, next_after = _ordered_here(session, base.where(Case.id.in_(found)), sort, today, limit, after)
    elif sort == "priority":
        base = base.where(found) if found is not None else base
        cases, next_after = _by_priority(session, base, today, limit, after)
    else:
        base = base.where(found) if found is not None else base
        keys: list[Any] = [Case.received_at, Case.number]
        query = keyset(base, keys, descending=sort.startswith("-"), after=after).limit(limit + 1)
        page = page_of(list(plain_rows(session, query)), limit, lambda c: [c.received_at, c.number])
        cases, next_after = page.items, page.next_after
    return Page(_items(session, cases, today), next_after)


# The page's owners, services and due dates: built once (building them per page cost as much as running them).
_OWNER_NAMES = select(PRINCIPALS.c.id, PRINCIPALS.c.name).where(
    PRINCIPALS.c.id.in_(bindparam("ids", expanding=True))
)
_VICTIM_NAMES = select(Victim.case_id, Victim.given_name, Victim.family_name).where(
    Victim.case_id.in_(bindparam("ids", expanding=True))
)
_SERVICES = select(Assignment.case_id, Assignment.service).where(
    Assignment.case_id.in_(bindparam("ids", expanding=True)), Assignment.status.in_(COUNTED_ROUTES)
)
_DUE = (
    select(
        CompliancePoint.case_id,
        func.min(CompliancePoint.due_on).filter(CompliancePoint.status == PointStatus.PENDING.value),
        func.count().filter(effective_status_column(bindparam("today")) == PointStatus.MISSED.value),
    )
    .where(
        CompliancePoint.case_id.in_(bindparam("ids", expanding=True)),
        CompliancePoint.status.in_(OPEN_STATUSES),
    )
    .group_by(CompliancePoint.case_id)
)


def _items(session: Session, cases: list[Any], today: dt.date) -> list[dict[str, Any]]:
    """The list item of each case, already in its JSON form (CaseListItemSchema's, which documents it: a test
    holds them equal). Four small queries for the whole page, never one per case; built by hand because
    dumping 50 items through the schema cost more than the queries."""
    if not cases:
        return []
    ids = [c.id for c in cases]
    owners = list({c.owner_id for c in cases if c.owner_id})
    names: dict[uuid.UUID, str] = {}
    if owners:
        names = {
            credential_id: name for credential_id, name in plain_rows(session, _OWNER_NAMES, {"ids": owners})
        }
    services: dict[uuid.UUID, set[str]] = {}
    for case_id, service in plain_rows(session, _SERVICES, {"ids": ids}):
        services.setdefault(case_id, set()).add(service)
    victims = {
        case_id: " ".join(part for part in (given, family) if part) or None
        for case_id, given, family in plain_rows(session, _VICTIM_NAMES, {"ids": ids})
    }
    due: dict[uuid.UUID, tuple[dt.date | None, int]] = {
        case_id: (next_due, overdue)
        for case_id, next_due, overdue in plain_rows(session, _DUE, {"ids": ids, "today": today})
    }
    items = []
    for c in cases:
        next_due, overdue_points = due.get(c.id, (None, 0))
        items.append(
            {
                "id": str(c.id),
                "reference": reference_for(c.received_at, c.number),
                "victim_name": victims.get(c.id),
                "status": c.status,
                "received_at": c.received_at.isoformat(),
                "crime_types": [t for t in c.crime_types_key.split("|") if t],
                "risk_level": c.risk_level,
                "enhanced_rights": c.enhanced_rights,
                "policing_area": c.policing_area,
                "owner": names.get(c.owner_id) if c.owner_id else None,
                "services": sorted(services.get(c.id, ())),
                "next_due_on": next_due.isoformat() if next_due is not None else None,
                "overdue_points": overdue_points,
                "repeat": _repeat_json(c.repeat_previous_cases, c.repeat_last_received_on),
            }
        )
    return items


def _repeat_json(previous_cases: int, last_received_on: dt.date | None) -> dict[str, Any] | None:
    repeat = repeat_view(previous_cases, last_received_on)
    if repeat is None:
        return None
    last = repeat["last_received_on"]
    return {**repeat, "last_received_on": last.isoformat() if last is not None else None}
