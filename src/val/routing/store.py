"""Assignments and the provider directory in the database: the one module of routing that speaks SQL
(docs/architecture.md, "One way to the database"). Plain values in, frozen records out; an assignment's status
changes only through `move`, guarded by the state it was read in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, case, cast, func, insert, select, update
from sqlalchemy.orm import Session

from val.cases.models import Case, TriageDecision
from val.cases.references import reference_for
from val.db.base import table_of
from val.db.deferred import insert_row, written_rows
from val.db.records import columns_for, record_of, row_of
from val.db.transitions import transition
from val.providers.models import Provider
from val.routing.models import Assignment
from val.routing.states import ASSIGNMENT_TRANSITIONS, LIVE, OPEN, AssignmentStatus


@dataclass(frozen=True)
class AssignmentRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    service: str
    provider_id: str | None
    status: str
    rule: str
    because: str
    requested_service: str | None
    respond_by: dt.datetime | None
    offered_at: dt.datetime
    answered_at: dt.datetime | None
    decline_reason: str | None
    decline_code: str | None
    outcome: dict[str, Any] | None
    replaces_id: uuid.UUID | None
    reminded_at: dt.datetime | None
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """A provider as routing reads it in every intake: JSON columns as text, parsed once per distinct value
    (`directory.directory_infos`), and how many open offers a capacity-limited provider holds."""

    id: str
    services_json: str
    policing_areas_json: str
    min_age: int | None
    max_age: int | None
    active: bool
    admin_disabled: bool
    capacity: int | None
    respond_by_working_days: int
    webhook_url: str | None
    endpoint_disabled_at: dt.datetime | None
    settings_json: str | None
    open_assignments: int


@dataclass(frozen=True)
class Endpoint:
    """Where a provider's webhooks go (what the outbox needs to address a delivery)."""

    id: str
    webhook_url: str | None
    endpoint_disabled_at: dt.datetime | None


_COLUMNS = columns_for(Assignment, AssignmentRecord)
_INSERT = insert(table_of(Assignment))


def _records(rows: Iterable[Any]) -> list[AssignmentRecord]:
    return [record_of(AssignmentRecord, row) for row in rows]


def add(session: Session, assignments: list[AssignmentRecord]) -> None:
    """One INSERT for all of them (with the unit of work's other rows, within a batch). An assignment made with a
    provider has sent one event (its offer, sequence 1), written with it."""
    if assignments:
        insert_row(
            session,
            _INSERT,
            [{**row_of(a), "events_sent": 1 if a.provider_id else 0} for a in assignments],
        )


def next_event(session: Session, assignment_id: uuid.UUID) -> int:
    """The sequence number of the assignment's next webhook: counted on the row itself (and locked with it, so two
    transactions never hand out the same number)."""
    number: int = session.execute(
        update(Assignment)
        .where(Assignment.id == assignment_id)
        .values(events_sent=Assignment.events_sent + 1)
        .returning(Assignment.events_sent)
    ).scalar_one()
    return number


def written_in_batch(session: Session) -> list[dict[str, Any]]:
    """The assignments this batch has written so far (none outside a batch): they count against capacity."""
    return written_rows(session, _INSERT)


def assignment(
    session: Session, assignment_id: uuid.UUID, *, for_update: bool = False
) -> AssignmentRecord | None:
    query = select(*_COLUMNS).where(Assignment.id == assignment_id)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).first()
    return record_of(AssignmentRecord, row) if row is not None else None


def of_case(
    session: Session, case_id: uuid.UUID, statuses: Iterable[AssignmentStatus] | None = None
) -> list[AssignmentRecord]:
    """The case's assignments (in `statuses`, when given), oldest offer first."""
    query = select(*_COLUMNS).where(Assignment.case_id == case_id)
    if statuses is not None:
        query = query.where(Assignment.status.in_([str(s) for s in statuses]))
    return _records(session.execute(query.order_by(Assignment.offered_at, Assignment.service, Assignment.id)))


def of_cases(session: Session, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[AssignmentRecord]]:
    found: dict[uuid.UUID, list[AssignmentRecord]] = {case_id: [] for case_id in case_ids}
    if case_ids:
        query = (
            select(*_COLUMNS)
            .where(Assignment.case_id.in_(case_ids))
            .order_by(Assignment.offered_at, Assignment.service, Assignment.id)
        )
        for record in _records(session.execute(query)):
            found[record.case_id].append(record)
    return found


def live(session: Session, case_id: uuid.UUID) -> list[AssignmentRecord]:
    """Assignments someone still has to act on: held by a provider, or waiting for a coordinator."""
    return of_case(session, case_id, LIVE)


def held(session: Session, case_id: uuid.UUID) -> list[AssignmentRecord]:
    """Assignments a provider holds (offered, accepted, in support)."""
    return of_case(session, case_id, OPEN)


def statuses_of(session: Session, case_id: uuid.UUID) -> list[AssignmentStatus]:
    return [
        AssignmentStatus(s)
        for s in session.scalars(select(Assignment.status).where(Assignment.case_id == case_id))
    ]


def latest_closed(session: Session, case_id: uuid.UUID) -> AssignmentRecord:
    """The referral a provider closed last (the case's closure outcome when every provider has closed)."""
    row = session.execute(
        select(*_COLUMNS)
        .where(Assignment.case_id == case_id, Assignment.status == AssignmentStatus.CLOSED)
        .order_by(Assignment.updated_at.desc())
        .limit(1)
    ).one()
    return record_of(AssignmentRecord, row)


def providers_tried(session: Session, case_id: uuid.UUID, service: str) -> frozenset[str]:
    """Every provider the case's `service` has been offered to."""
    return frozenset(
        p
        for p in session.scalars(
            select(Assignment.provider_id).where(
                Assignment.case_id == case_id,
                Assignment.service == service,
                Assignment.provider_id.is_not(None),
            )
        )
        if p is not None
    )


def providers_declined(session: Session, case_id: uuid.UUID) -> dict[str, frozenset[str]]:
    """By service, the providers that declined the case."""
    found: dict[str, set[str]] = {}
    rows = session.execute(
        select(Assignment.service, Assignment.provider_id).where(
            Assignment.case_id == case_id,
            Assignment.status == AssignmentStatus.DECLINED.value,
            Assignment.provider_id.is_not(None),
        )
    )
    for service, provider_id in rows:
        if provider_id is not None:  # the query asks for one; the column may hold none
            found.setdefault(service, set()).add(provider_id)
    return {service: frozenset(ids) for service, ids in found.items()}


def overdue_offers(session: Session, now: dt.datetime) -> list[AssignmentRecord]:
    """Offers not answered by their respond-by time, locked (others' locked ones skipped)."""
    return _records(
        session.execute(
            select(*_COLUMNS)
            .where(Assignment.status == AssignmentStatus.OFFERED, Assignment.respond_by < now)
            .with_for_update(skip_locked=True)
        )
    )


def offers_to_remind(
    session: Session, now: dt.datetime, window: dt.timedelta
) -> list[tuple[AssignmentRecord, str, str | None]]:
    """Unanswered offers due within `window` and not reminded yet, locked: each with its case's reference and
    risk level."""
    rows = session.execute(
        select(*_COLUMNS, Case.received_at, Case.number, TriageDecision.risk_level)
        .join(Case, Case.id == Assignment.case_id)
        .join(TriageDecision, TriageDecision.case_id == Case.id)
        .where(
            Assignment.status == AssignmentStatus.OFFERED,
            Assignment.reminded_at.is_(None),
            Assignment.respond_by <= now + window,
            Assignment.respond_by > now,
        )
        .with_for_update(of=table_of(Assignment), skip_locked=True)
    ).all()
    width = len(_COLUMNS)
    return [
        (record_of(AssignmentRecord, row[:width]), reference_for(row[width], row[width + 1]), row[width + 2])
        for row in rows
    ]


def reminded(session: Session, assignment_id: uuid.UUID, now: dt.datetime) -> None:
    session.execute(update(Assignment).where(Assignment.id == assignment_id).values(reminded_at=now))


def move(
    session: Session, assignment: AssignmentRecord, target: AssignmentStatus, now: dt.datetime, **values: Any
) -> AssignmentRecord:
    """Change an assignment's state as its transition table allows (409 otherwise), guarded by the state it
    was read in (409 when another actor changed it first), with the other columns the move sets; the record
    as it is now."""
    transition(
        session,
        Assignment,
        ASSIGNMENT_TRANSITIONS,
        assignment.status,
        target,
        Assignment.id == assignment.id,
        updated_at=now,
        **values,
    )
    return dataclasses.replace(assignment, status=target.value, updated_at=now, **values)


def endpoints_of(session: Session, provider_ids: Iterable[str | None]) -> dict[str, Endpoint]:
    wanted = {p for p in provider_ids if p is not None}
    if not wanted:
        return {}
    rows = session.execute(select(*columns_for(Provider, Endpoint)).where(Provider.id.in_(wanted)))
    return {record.id: record for record in (record_of(Endpoint, row) for row in rows)}


_P = table_of(Provider).c
_A = table_of(Assignment).c
# The directory and each capacity-limited provider's open offers in one statement: this runs in every intake.
_OPEN_ASSIGNMENTS = (
    select(func.count())
    .where(_A.provider_id == _P.id, _A.status.in_(OPEN))
    .correlate(table_of(Provider))
    .scalar_subquery()
)
_DIRECTORY = select(
    _P.id,
    # As text, parsed once per distinct value: the directory is read in every intake, and parsing its JSON
    # every time was a tenth of an import.
    cast(_P.services, Text),
    cast(_P.policing_areas, Text),
    _P.min_age,
    _P.max_age,
    _P.active,
    _P.admin_disabled,
    _P.capacity,
    _P.respond_by_working_days,
    _P.webhook_url,
    _P.endpoint_disabled_at,
    cast(_P.settings, Text),
    case((_P.capacity.is_not(None), _OPEN_ASSIGNMENTS), else_=0),
)


def directory(session: Session) -> list[DirectoryEntry]:
    """The directory, read fresh (a disabled provider is passed over at once)."""
    return [DirectoryEntry(*row) for row in session.execute(_DIRECTORY)]
