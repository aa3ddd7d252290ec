"""Routing's use cases after intake: consent changes, expiry of unanswered offers, reminders and reroutes.
Each runs in its caller's unit of work and never commits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases import store as cases
from val.cases.store import CaseRecord
from val.db.base import utcnow
from val.errors import ConflictError, NotFoundError
from val.routing import store
from val.routing.case_status import status_may_change
from val.routing.directory import provider_infos
from val.routing.offers import create_assignments, offer_data, offer_next, plan_routes, replace, withdraw
from val.routing.rules import MARAC, RoutingFacts, RoutingPolicy
from val.routing.states import LIVE, REROUTABLE, AssignmentStatus
from val.routing.store import AssignmentRecord
from val.webhooks.domain import WebhookEvent
from val.webhooks.outbox import add_delivery

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def follow_consent(
    session: Session,
    policy: RoutingPolicy,
    case: CaseRecord,
    risk_level: str | None,
    before: RoutingFacts,
    after: RoutingFacts,
    now: dt.datetime,
) -> bool | None:
    """Consent given → the services held back are offered now (True); withdrawn → what providers hold is
    withdrawn, MARAC excepted for high-risk domestic abuse (False); no change in permission → None."""
    status_may_change(session, case.id)
    live = store.live(session, case.id)
    if after.referral_permitted and not before.referral_permitted:
        offer_what_is_missing(session, policy, case, risk_level, after, now, live)
        return True
    if not after.referral_permitted:
        for assignment in live:
            if assignment.service == MARAC and after.marac_without_consent:
                continue
            withdraw(session, assignment, "consent withdrawn", now)
        return False
    return None


def offer_what_is_missing(
    session: Session,
    policy: RoutingPolicy,
    case: CaseRecord,
    risk_level: str | None,
    facts: RoutingFacts,
    now: dt.datetime,
    live: list[AssignmentRecord] | None = None,
) -> list[AssignmentRecord]:
    """Offer every service routing wants for the case now that nobody holds or waits on — through the
    consent gate, like every offer (after consent is given, or when a closed case is reopened). A provider
    that declined the case before is not offered it again: the next eligible one is, or coordinators are."""
    if live is None:
        live = store.live(session, case.id)
    held = {a.requested_service or a.service for a in live}
    plan, providers = plan_routes(session, policy, facts, store.providers_declined(session, case.id))
    wanted = {r.requested_service or r.service for r in plan.routes} - held
    if not wanted:
        return []
    return create_assignments(
        session,
        policy,
        plan,
        providers,
        case_id=case.id,
        case_reference=case.reference,
        risk_level=risk_level,
        now=now,
        only_services=wanted,
    )


def expire_overdue(session: Session, policy: RoutingPolicy, now: dt.datetime | None = None) -> int:
    """Offers not answered by their respond-by time expire, and go to the next eligible provider."""
    now = now or utcnow()
    overdue = store.overdue_offers(session, now)
    for assignment in overdue:
        expired = store.move(session, assignment, AssignmentStatus.EXPIRED, now)
        offer_next(session, policy, expired, now)
        status_may_change(session, assignment.case_id)
    return len(overdue)


def send_reminders(session: Session, window: dt.timedelta, now: dt.datetime | None = None) -> int:
    """`referral.reminder` to each provider holding an unanswered offer whose respond-by time is within
    `window` — once per offer."""
    now = now or utcnow()
    due = store.offers_to_remind(session, now, window)
    providers = provider_infos(session)[1] if due else {}
    for assignment, reference, risk_level in due:
        if assignment.provider_id is None:  # only offers are reminded, and an offer always has a provider
            continue
        store.reminded(session, assignment.id, now)
        add_delivery(
            session,
            providers[assignment.provider_id],
            WebhookEvent.REMINDER,
            offer_data(assignment, reference, risk_level, store.next_event(session, assignment.id)),
            assignment.id,
        )
    return len(due)


def _offerable_again(session: Session, assignment: AssignmentRecord) -> bool:
    """A withdrawn assignment may be offered again by a coordinator while its case is open and nothing live
    covers its service (after a case was closed and reopened, every route is withdrawn)."""
    if assignment.status != AssignmentStatus.WITHDRAWN:
        return False
    if cases.case_of(session, assignment.case_id).closed_at is not None:
        return False
    service = assignment.requested_service or assignment.service
    return not any(
        (a.requested_service or a.service) == service for a in store.live(session, assignment.case_id)
    )


def reroute(
    session: Session,
    principal: Principal,
    policy: RoutingPolicy,
    assignment_id: uuid.UUID,
    provider_id: str | None,
    request_id: str | None,
) -> AssignmentRecord:
    """A coordinator moves an assignment: to a named eligible provider, or the next eligible one."""
    current = store.assignment(session, assignment_id, for_update=True)
    if current is None:
        raise NotFoundError("No assignment with this id.")
    if current.status not in REROUTABLE and not _offerable_again(session, current):
        raise ConflictError(f"The assignment is {current.status}; it cannot be rerouted.", field="status")
    now = utcnow()
    if current.status in LIVE:
        withdraw(session, current, "rerouted by a coordinator", now)
    new = replace(
        session,
        policy,
        current,
        f"rerouted by {principal.name}",
        now,
        provider_id=provider_id,
        excluded=frozenset({current.provider_id or ""}),
    )
    status_may_change(session, current.case_id)
    audit(session, principal, "assignment.rerouted", "case", current.case_id, request_id)
    return new
