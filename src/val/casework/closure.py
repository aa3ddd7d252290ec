"""Closing and reopening a case (docs/casework.md). Victims' Code points stay open after closure: they are the
duties of other agencies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import TYPE_CHECKING

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases import store as cases
from val.cases.activity import ActivityKind
from val.casework.messages import send_on_our_own
from val.casework.notes import add_note
from val.db.base import utcnow
from val.errors import ConflictError, InvalidInputError
from val.messages.templates import MessageConfig
from val.routing import store as routing
from val.routing.case_status import implied_status
from val.routing.facts import facts_of_case
from val.routing.offers import withdraw
from val.routing.rules import RoutingPolicy
from val.routing.service import offer_what_is_missing
from val.routing.states import OPEN
from val.triage.domain import CaseStatus

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def close_case(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    outcome: str,
    at: dt.datetime,
    reason: str | None,
    withdraw_open: bool,
    request_id: str | None,
    messages: MessageConfig | None = None,
) -> None:
    """409 naming the assignments providers still hold, unless `withdraw_open` (they are withdrawn and their
    providers told). Routes waiting for a coordinator are withdrawn with the case."""
    case = cases.case_of(session, case_id, for_update=True)
    if case.closed_at is not None:
        raise ConflictError("The case is already closed.", field="status")
    if at < case.received_at:
        raise InvalidInputError("The case cannot close before VAL received the referral.", field="at")
    live = routing.live(session, case.id)
    held = [a for a in live if a.status in OPEN]
    if held and not withdraw_open:
        names = ", ".join(f"{a.service} ({a.provider_id}, {a.status})" for a in held)
        raise ConflictError(
            f"Providers still hold this case: {names}. Close with withdraw_open to withdraw them.",
            field="withdraw_open",
        )
    now = utcnow()
    for assignment in live:
        withdraw(session, assignment, "case closed by a coordinator", now)
    cases.move(session, case, CaseStatus.CLOSED)
    cases.change(session, case.id, closed_at=at, closure_outcome=outcome)
    cases.record_activity(
        session, case.id, ActivityKind.CLOSED, f"closed: {outcome}", actor=principal.name, at=now
    )
    if reason:  # free text: kept where coordinators keep words, never in the case's history
        add_note(session, principal, case.id, f"Closed ({outcome}): {reason}", None, request_id)
    audit(session, principal, "case.closed", "case", case.id, request_id)
    # The victim is asked about the service, where the safety rule allows; not when they were never reached.
    if messages is not None and outcome != "unable_to_contact":
        send_on_our_own(session, messages, case.id, "closure")


def reopen_case(
    session: Session,
    principal: Principal,
    policy: RoutingPolicy,
    case_id: uuid.UUID,
    reason: str,
    request_id: str | None,
    *,
    offer_again: bool = True,
) -> None:
    """Back to what its consent and assignments imply (never `closed` again by itself). Closing withdrew
    every route, so with `offer_again` the services routing wants are offered again, through the consent
    gate; those with no eligible provider go to coordinators, with an alert."""
    case, decision, victim, offence = cases.bundle(session, case_id, for_update=True)
    if case.closed_at is None:
        raise ConflictError(f"The case is {case.status}, not closed.", field="status")
    now = utcnow()
    cases.change(session, case.id, closed_at=None, closure_outcome=None)
    case = dataclasses.replace(case, closed_at=None, closure_outcome=None)
    if offer_again:
        facts = facts_of_case(policy, case, decision, victim, offence)
        offer_what_is_missing(session, policy, case, decision.risk_level, facts, now)
    target = implied_status(session, case, may_close=False)
    cases.move(session, case, target)
    cases.record_activity(
        session, case.id, ActivityKind.REOPENED, f"reopened as {target}", actor=principal.name, at=now
    )
    add_note(session, principal, case.id, f"Reopened: {reason}", None, request_id)
    audit(session, principal, "case.reopened", "case", case.id, request_id)
