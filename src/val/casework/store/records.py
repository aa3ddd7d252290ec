"""The case as a coordinator reads it, and what coordinators add to it: contact attempts, notes, same-person
links. Frozen records out; every write is a statement here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from val.auth.roles import Role
from val.auth.store import PRINCIPALS
from val.cases import store as cases
from val.cases.models import Victim
from val.cases.store import CaseRecord, OffenceRecord, TriageRecord, VictimRecord
from val.casework.models import CaseNote, ContactAttempt, SamePersonLink
from val.compliance import store as compliance
from val.compliance.models import CaseEvent
from val.compliance.store import EventRecord, PointRecord
from val.db.base import rows_affected, table_of
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
        session.scalar(select(PRINCIPALS.c.name).where(PRINCIPALS.c.id == case.owner_id))
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
    """The id and name of the active coordinator (a key, or a person who has signed in) called `name`; None
    also when two are, so a case is never given to the wrong one."""
    found = session.execute(
        select(PRINCIPALS.c.id, PRINCIPALS.c.name)
        .where(
            PRINCIPALS.c.name == name,
            PRINCIPALS.c.role == Role.COORDINATOR.value,
            PRINCIPALS.c.active,
        )
        .limit(2)
    ).all()
    return (found[0][0], found[0][1]) if len(found) == 1 else None


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


@dataclass(frozen=True)
class LinkRecord:
    case_id: uuid.UUID
    other_case_id: uuid.UUID
    confirmed_by: str
    confirmed_at: dt.datetime
    reason: str | None


_ACTIVE = SamePersonLink.undone_at.is_(None)


def link_state(session: Session, low: uuid.UUID, high: uuid.UUID) -> bool | None:
    """True: the pair is linked; False: it was, and the link is undone; None: it never was."""
    undone = session.execute(
        select(SamePersonLink.undone_at).where(
            SamePersonLink.case_id == low, SamePersonLink.other_case_id == high
        )
    ).first()
    return None if undone is None else undone[0] is None


def add_link(
    session: Session,
    low: uuid.UUID,
    high: uuid.UUID,
    confirmed_by: uuid.UUID,
    at: dt.datetime,
    reason: str | None,
    *,
    again: bool,
) -> None:
    """Link the pair (`again`: a link once undone is made anew, in its own row)."""
    values = {"confirmed_by": confirmed_by, "confirmed_at": at, "reason": reason}
    if again:
        session.execute(
            update(SamePersonLink)
            .where(SamePersonLink.case_id == low, SamePersonLink.other_case_id == high)
            .values(**values, undone_at=None, undone_by=None, undo_reason=None)
        )
        return
    session.execute(_INSERT_LINK, {"id": uuid.uuid4(), "case_id": low, "other_case_id": high, **values})


def undo_link(
    session: Session, low: uuid.UUID, high: uuid.UUID, undone_by: uuid.UUID, at: dt.datetime, reason: str
) -> bool:
    """Undo the pair's link; False when there is none to undo."""
    result = session.execute(
        update(SamePersonLink)
        .where(SamePersonLink.case_id == low, SamePersonLink.other_case_id == high, _ACTIVE)
        .values(undone_at=at, undone_by=undone_by, undo_reason=reason)
    )
    return rows_affected(result) == 1


def linked_to(session: Session, case_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Every case a link (not undone) joins to one of `case_ids` (both ends)."""
    links = session.execute(
        select(SamePersonLink.case_id, SamePersonLink.other_case_id).where(
            or_(SamePersonLink.case_id.in_(case_ids), SamePersonLink.other_case_id.in_(case_ids)), _ACTIVE
        )
    ).all()
    return {one for link in links for one in link}


def links_among(session: Session, case_ids: list[uuid.UUID]) -> list[LinkRecord]:
    """The links (not undone) between the cases, with who confirmed each (by credential name) and when."""
    rows = session.execute(
        select(
            SamePersonLink.case_id,
            SamePersonLink.other_case_id,
            PRINCIPALS.c.name,
            SamePersonLink.confirmed_at,
            SamePersonLink.reason,
        )
        .join(PRINCIPALS, PRINCIPALS.c.id == SamePersonLink.confirmed_by)
        .where(SamePersonLink.case_id.in_(case_ids), SamePersonLink.other_case_id.in_(case_ids), _ACTIVE)
        .order_by(SamePersonLink.confirmed_at)
    )
    return [LinkRecord(*row) for row in rows]


def victim_identity(session: Session, case_id: uuid.UUID) -> tuple[dt.date | None, str | None]:
    """The victim's date of birth and family name as searched (accents and case folded)."""
    row = session.execute(
        select(Victim.date_of_birth, Victim.family_name_key).where(Victim.case_id == case_id)
    ).one()
    return row[0], row[1]
