"""Same-person links: a coordinator confirms that two cases are about one victim (docs/data-lifecycle.md: the repeat-victim
hash is a hint, never identity). The links decide what a subject access export contains."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.models import Case
from val.casework.models import SamePersonLink
from val.db.base import utcnow
from val.errors import InvalidInputError, NotFoundError


def confirm_same_person(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    other_case_id: uuid.UUID,
    request_id: str | None,
) -> list[Case]:
    """Record that both cases are about the same victim (idempotent); the victim's cases, oldest first."""
    if case_id == other_case_id:
        raise InvalidInputError("A case is already about its own victim; name another case.", field="case_id")
    found = set(session.scalars(select(Case.id).where(Case.id.in_((case_id, other_case_id)))))
    if case_id not in found:
        raise NotFoundError("No case with this id.")
    if other_case_id not in found:
        raise InvalidInputError("No case with this id.", field="case_id")
    low, high = sorted((case_id, other_case_id), key=lambda i: i.hex)
    exists = session.scalar(
        select(SamePersonLink.id).where(SamePersonLink.case_id == low, SamePersonLink.other_case_id == high)
    )
    if exists is None:
        session.add(
            SamePersonLink(
                id=uuid.uuid4(),
                case_id=low,
                other_case_id=high,
                confirmed_by=principal.credential_id,
                confirmed_at=utcnow(),
            )
        )
        session.flush()
        for one in (case_id, other_case_id):
            audit(session, principal, "case.same_person_confirmed", "case", one, request_id)
    return same_person_cases(session, case_id)


def same_person_case_ids(session: Session, case_id: uuid.UUID) -> list[uuid.UUID]:
    """`case_id` and every case linked to it, directly or through other links, oldest first."""
    seen, frontier = {case_id}, {case_id}
    while frontier:
        links = session.execute(
            select(SamePersonLink.case_id, SamePersonLink.other_case_id).where(
                or_(SamePersonLink.case_id.in_(frontier), SamePersonLink.other_case_id.in_(frontier))
            )
        ).all()
        reached = {one for link in links for one in link} - seen
        seen |= reached
        frontier = reached
    return list(session.scalars(select(Case.id).where(Case.id.in_(seen)).order_by(Case.received_at, Case.id)))


def same_person_cases(session: Session, case_id: uuid.UUID) -> list[Case]:
    ids = same_person_case_ids(session, case_id)
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
    return [cases[i] for i in ids]


def read_same_person(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> list[Case]:
    cases = same_person_cases(session, case_id)
    if not cases:
        raise NotFoundError("No case with this id.")
    audit(session, principal, "case.same_person_read", "case", case_id, request_id)
    return cases
