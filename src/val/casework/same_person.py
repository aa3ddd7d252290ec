"""Same-person links: a coordinator confirms that two cases are about one victim (docs/data-lifecycle.md: the repeat-victim
hash is a hint, never identity). The links decide what a subject access export contains."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases import store as cases
from val.cases.store import CaseRecord
from val.casework.store import records
from val.db.base import utcnow
from val.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def confirm_same_person(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    other_case_id: uuid.UUID,
    request_id: str | None,
) -> list[CaseRecord]:
    """Record that both cases are about the same victim (idempotent); the victim's cases, oldest first."""
    if case_id == other_case_id:
        raise InvalidInputError("A case is already about its own victim; name another case.", field="case_id")
    found = cases.existing(session, [case_id, other_case_id])
    if case_id not in found:
        raise NotFoundError("No case with this id.")
    if other_case_id not in found:
        raise InvalidInputError("No case with this id.", field="case_id")
    low, high = sorted((case_id, other_case_id), key=lambda i: i.hex)
    if not records.link_exists(session, low, high):
        records.add_link(session, low, high, principal.credential_id, utcnow())
        for one in (case_id, other_case_id):
            audit(session, principal, "case.same_person_confirmed", "case", one, request_id)
    return same_person_cases(session, case_id)


def same_person_case_ids(session: Session, case_id: uuid.UUID) -> list[uuid.UUID]:
    """`case_id` and every case linked to it, directly or through other links, oldest first."""
    seen, frontier = {case_id}, {case_id}
    while frontier:
        reached = records.linked_to(session, frontier) - seen
        seen |= reached
        frontier = reached
    return cases.oldest_first(session, seen)


def same_person_cases(session: Session, case_id: uuid.UUID) -> list[CaseRecord]:
    ids = same_person_case_ids(session, case_id)
    found = cases.cases_of(session, ids)
    return [found[i] for i in ids]


def read_same_person(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> list[CaseRecord]:
    linked = same_person_cases(session, case_id)
    if not linked:
        raise NotFoundError("No case with this id.")
    audit(session, principal, "case.same_person_read", "case", case_id, request_id)
    return linked
