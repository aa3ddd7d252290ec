"""The case as a coordinator reads it, and what coordinators add to it: contact attempts, notes, same-person
links. Frozen records out; every write is a statement here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from val.auth.models import Credential
from val.auth.roles import Role
from val.cases import store as cases
from val.cases.store import CaseRecord, OffenceRecord, TriageRecord, VictimRecord
from val.casework.models import CaseNote, ContactAttempt, SamePersonLink
from val.compliance import store as compliance
from val.compliance.models import CaseEvent
from val.compliance.store import EventRecord, PointRecord
from val.db.base import table_of
from val.db.paging import Page, keyset, page_of
from val.db.records import columns_for, record_of, row_of
from val.routing import store as routing
from val.routing.store import AssignmentRecord

R = TypeVar("R")


@dataclass(frozen=True, kw_only=True)
class CaseDetail(CaseRecord):
    """The whole case: its row, triage, victim, offence, routes and points, and its owner's name."""

    triage: TriageRecord
    victim: VictimRecord
    offence: OffenceRecord
    assignments: list[AssignmentRecord]
    compliance_points: list[PointRecord]
    owner_name: str | None


@dataclass(frozen=True)
class AttemptRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    at: dt.datetime
    channel: str
    outcome: str
    recorded_by: uuid.UUID
    recorded_at: dt.datetime


@dataclass(frozen=True)
class NoteRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    author_id: uuid.UUID
    author: str
    created_at: dt.datetime
    text: str
    corrects: uuid.UUID | None


def detail(session: Session, case_id: uuid.UUID) -> CaseDetail:
    """404 when there is no such case."""
    case, triage, victim, offence = cases.bundle(session, case_id)
    owner = (
        session.scalar(select(Credential.name).where(Credential.id == case.owner_id))
        if case.owner_id
        else None
    )
    return CaseDetail(
        **{f.name: getattr(case, f.name) for f in dataclasses.fields(CaseRecord)},
        triage=triage,
        victim=victim,
        offence=offence,
        assignments=routing.of_case(session, case_id),
        compliance_points=compliance.points_of_case(session, case_id),
        owner_name=owner,
    )


def active_coordinator(session: Session, name: str) -> tuple[uuid.UUID, str] | None:
    """The id and name of the active coordinator credential called `name`."""
    found = session.execute(
        select(Credential.id, Credential.name).where(
            Credential.name == name,
            Credential.role == Role.COORDINATOR.value,
            Credential.revoked_at.is_(None),
        )
    ).first()
    return (found[0], found[1]) if found is not None else None


_INSERT_ATTEMPT = insert(table_of(ContactAttempt))
_INSERT_NOTE = insert(table_of(CaseNote))
_INSERT_LINK = insert(table_of(SamePersonLink))


def add_attempt(session: Session, attempt: AttemptRecord) -> None:
    session.execute(_INSERT_ATTEMPT, row_of(attempt))


def latest_outcomes(session: Session, case_id: uuid.UUID) -> Iterable[str]:
    """The outcomes of the case's contact attempts, latest first."""
    return session.scalars(
        select(ContactAttempt.outcome)
        .where(ContactAttempt.case_id == case_id)
        .order_by(ContactAttempt.at.desc(), ContactAttempt.recorded_at.desc())
    )


def add_note(session: Session, note: NoteRecord) -> None:
    session.execute(_INSERT_NOTE, row_of(note))


def has_note(session: Session, case_id: uuid.UUID, note_id: uuid.UUID) -> bool:
    found = session.scalar(select(CaseNote.id).where(CaseNote.id == note_id, CaseNote.case_id == case_id))
    return found is not None


# What a page of a case's own records may be: each kind's table, record, order and unique tie-breaker.
_PAGED: dict[type[Any], tuple[type[Any], tuple[str, str]]] = {
    AttemptRecord: (ContactAttempt, ("at", "id")),
    NoteRecord: (CaseNote, ("created_at", "id")),
    EventRecord: (CaseEvent, ("occurred_at", "id")),
}


def page_of_case(
    session: Session,
    record: type[R],
    case_id: uuid.UUID,
    *,
    descending: bool,
    limit: int,
    after: list[Any] | None,
) -> Page[R]:
    """One keyset page of the case's attempts, notes or events; 404 for an unknown case."""
    cases.case_of(session, case_id)
    model, order = _PAGED[record]
    keys = [getattr(model, name) for name in order]
    query = select(*columns_for(model, record)).where(model.case_id == case_id)
    query = keyset(query, keys, descending=descending, after=after).limit(limit + 1)
    rows = [record_of(record, row) for row in session.execute(query)]
    return page_of(rows, limit, lambda row: [getattr(row, name) for name in order])


def link_exists(session: Session, low: uuid.UUID, high: uuid.UUID) -> bool:
    found = session.scalar(
        select(SamePersonLink.id).where(SamePersonLink.case_id == low, SamePersonLink.other_case_id == high)
    )
    return found is not None


def add_link(
    session: Session, low: uuid.UUID, high: uuid.UUID, confirmed_by: uuid.UUID, at: dt.datetime
) -> None:
    session.execute(
        _INSERT_LINK,
        {
            "id": uuid.uuid4(),
            "case_id": low,
            "other_case_id": high,
            "confirmed_by": confirmed_by,
            "confirmed_at": at,
        },
    )


def linked_to(session: Session, case_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Every case a link joins to one of `case_ids` (both ends)."""
    links = session.execute(
        select(SamePersonLink.case_id, SamePersonLink.other_case_id).where(
            or_(SamePersonLink.case_id.in_(case_ids), SamePersonLink.other_case_id.in_(case_ids))
        )
    ).all()
    return {one for link in links for one in link}
