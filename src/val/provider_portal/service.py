"""What a provider does with its referrals: list and read them (only its own, only what its service may
see), accept, decline and report outcomes. Runs in the caller's unit of work; never commits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.db.base import utcnow
from val.db.paging import Page
from val.errors import InvalidInputError, NotFoundError
from val.provider_portal import presenter, store
from val.routing import store as routing
from val.routing.case_status import status_may_change
from val.routing.offers import offer_next
from val.routing.rules import RoutingPolicy
from val.routing.states import ASSIGNMENT_TRANSITIONS, OUTCOMES, AssignmentStatus
from val.routing.store import AssignmentRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def list_referrals(
    session: Session,
    principal: Principal,
    request_id: str | None,
    *,
    status: str | None,
    limit: int,
    after: list[Any] | None,
) -> Page[dict[str, Any]]:
    """Newest first."""
    page = store.page_of_referrals(session, principal.provider_id, status, limit=limit, after=after)
    rows = [presenter.summary(assignment, case) for assignment, case in page.items]
    audit(
        session,
        principal,
        "provider.referrals_listed",
        "provider",
        principal.provider_id,
        request_id,
        result_count=len(rows),
    )
    return Page(rows, page.next_after)


def read_referral(
    session: Session,
    principal: Principal,
    assignment_id: uuid.UUID,
    request_id: str | None,
    *,
    keep_after_close: dt.timedelta,
) -> dict[str, Any]:
    """Only this provider's own assignment; any other id is 404, so ids of others' referrals reveal nothing.
    Who the victim is, only while the referral is the provider's (docs/domain.md): after it is withdrawn, declined
    or expired the provider sees its status alone; after the provider closes it, for `keep_after_close`."""
    row = store.referral(session, principal.provider_id, assignment_id)
    if row is None:
        raise NotFoundError("No referral with this id for this provider.")
    audit(session, principal, "provider.referral_read", "assignment", assignment_id, request_id)
    assignment, case, victim, offence, decision = row
    if not presenter.still_theirs(assignment, utcnow(), keep_after_close):
        return presenter.status_only(assignment, case)
    return presenter.referral_for_provider(assignment, case, victim, offence, decision)


def _owned(session: Session, principal: Principal, assignment_id: uuid.UUID) -> AssignmentRecord:
    """A provider's own assignment; any other id is as good as absent (404, never 403)."""
    assignment = routing.assignment(session, assignment_id, for_update=True)
    if (
        assignment is None
        or assignment.provider_id is None
        or assignment.provider_id != principal.provider_id
    ):
        raise NotFoundError("No referral with this id for this provider.")
    return assignment


def accept(
    session: Session, principal: Principal, assignment_id: uuid.UUID, request_id: str | None
) -> AssignmentRecord:
    assignment = _owned(session, principal, assignment_id)
    now = utcnow()
    assignment = routing.move(session, assignment, AssignmentStatus.ACCEPTED, now, answered_at=now)
    status_may_change(session, assignment.case_id)
    audit(session, principal, "assignment.accepted", "assignment", assignment.id, request_id)
    return assignment


def decline(
    session: Session,
    principal: Principal,
    policy: RoutingPolicy,
    assignment_id: uuid.UUID,
    reason: str,
    request_id: str | None,
    *,
    reason_code: str = "other",
) -> AssignmentRecord:
    """The referral goes to the next eligible provider of the service, else to coordinators."""
    assignment = _owned(session, principal, assignment_id)
    now = utcnow()
    assignment = routing.move(
        session,
        assignment,
        AssignmentStatus.DECLINED,
        now,
        answered_at=now,
        decline_reason=reason,
        decline_code=reason_code,
    )
    offer_next(session, policy, assignment, now)
    status_may_change(session, assignment.case_id)
    audit(session, principal, "assignment.declined", "assignment", assignment.id, request_id)
    return assignment


def record_outcome(
    session: Session,
    principal: Principal,
    assignment_id: uuid.UUID,
    outcome: str,
    at: dt.datetime,
    request_id: str | None,
) -> AssignmentRecord:
    assignment = _owned(session, principal, assignment_id)
    target = ASSIGNMENT_TRANSITIONS.check(assignment.status, OUTCOMES[outcome])
    if at < assignment.offered_at:
        raise InvalidInputError("The outcome is dated before the referral was offered.", field="at")
    now = utcnow()
    assignment = routing.move(
        session, assignment, target, now, outcome={"outcome": outcome, "at": at.isoformat()}
    )
    status_may_change(session, assignment.case_id)
    audit(session, principal, f"assignment.{outcome}", "assignment", assignment.id, request_id)
    return assignment
