"""Same-person links: a coordinator confirms that two cases are about one victim (docs/data-lifecycle.md: the repeat-victim
hash is a hint, never identity). The links decide what a subject access export contains."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases import store as cases
from val.cases.store import CaseRecord
from val.casework.store import records
from val.casework.store.records import LinkRecord
from val.db.base import utcnow
from val.errors import InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SamePersonCases:
    """The victim's cases, oldest first, and the links that join them (who confirmed each, when, and why)."""

    items: list[CaseRecord]
    links: list[LinkRecord]


def _pair(case_id: uuid.UUID, other_case_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    low, high = sorted((case_id, other_case_id), key=lambda i: i.hex)
    return low, high


def _details_differ(session: Session, case_id: uuid.UUID, other_case_id: uuid.UUID) -> bool:
    """Whether the two victims' recorded date of birth or family name differ (or one is no longer known)."""
    first, second = (records.victim_identity(session, one) for one in (case_id, other_case_id))
    return None in (*first, *second) or first != second


def confirm_same_person(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    other_case_id: uuid.UUID,
    reason: str | None,
    request_id: str | None,
) -> SamePersonCases:
    """Record that both cases are about the same victim (idempotent). When their recorded details differ the
    coordinator must say why (`reason`): a link exports the other case in full to whoever asks as this victim."""
    if case_id == other_case_id:
        raise InvalidInputError("A case is already about its own victim; name another case.", field="case_id")
    found = cases.existing(session, [case_id, other_case_id])
    if case_id not in found:
        raise NotFoundError("No case with this id.")
    if other_case_id not in found:
        raise InvalidInputError("No case with this id.", field="case_id")
    low, high = _pair(case_id, other_case_id)
    state = records.link_state(session, low, high)
    if state is not True:
        if reason is None and _details_differ(session, case_id, other_case_id):
            raise InvalidInputError(
                "The two victims' recorded date of birth or family name differ: say why they are the same "
                "person (reason), having checked.",
                field="reason",
            )
        records.add_link(session, low, high, principal.credential_id, utcnow(), reason, again=state is False)
        for one in (case_id, other_case_id):
            audit(session, principal, "case.same_person_confirmed", "case", one, request_id)
    return same_person_cases(session, case_id)


def undo_same_person(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    other_case_id: uuid.UUID,
    reason: str,
    request_id: str | None,
) -> SamePersonCases:
    """Undo a link a coordinator made between the two cases (it is kept, undone, with who, when and why)."""
    cases.case_of(session, case_id)  # 404 for an unknown case
    low, high = _pair(case_id, other_case_id)
    if not records.undo_link(session, low, high, principal.credential_id, utcnow(), reason):
        raise NotFoundError("These two cases are not linked as the same person.")
    for one in (case_id, other_case_id):
        audit(session, principal, "case.same_person_undone", "case", one, request_id)
    return same_person_cases(session, case_id)


def same_person_case_ids(session: Session, case_id: uuid.UUID) -> list[uuid.UUID]:
    """`case_id` and every case linked to it, directly or through other links, oldest first."""
    seen, frontier = {case_id}, {case_id}
    while frontier:
        reached = records.linked_to(session, frontier) - seen
        seen |= reached
        frontier = reached
    return cases.oldest_first(session, seen)


def same_person_cases(session: Session, case_id: uuid.UUID) -> SamePersonCases:
    ids = same_person_case_ids(session, case_id)
    found = cases.cases_of(session, ids)
    return SamePersonCases([found[i] for i in ids], records.links_among(session, ids))


def read_same_person(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> SamePersonCases:
    linked = same_person_cases(session, case_id)
    if not linked.items:
        raise NotFoundError("No case with this id.")
    audit(session, principal, "case.same_person_read", "case", case_id, request_id)
    return linked
