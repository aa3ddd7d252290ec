"""Routing's use cases after intake: consent changes, expiry of unanswered offers, reminders and reroutes.
Each runs in its caller's unit of work and never commits."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.models import Case, TriageDecision
from val.db.base import utcnow
from val.errors import ConflictError, NotFoundError
from val.routing.case_status import sync_case_status
from val.routing.directory import provider_infos
from val.routing.models import Assignment
from val.routing.offers import (
    create_assignments,
    live_assignments,
    move,
    offer_data,
    offer_next,
    plan_routes,
    replace,
    withdraw,
)
from val.routing.rules import MARAC, RoutingFacts, RoutingPolicy
from val.routing.states import LIVE, REROUTABLE, AssignmentStatus
from val.webhooks.domain import WebhookEvent
from val.webhooks.outbox import add_delivery


def follow_consent(
    session: Session,
    policy: RoutingPolicy,
    case: Case,
    risk_level: str | None,
    before: RoutingFacts,
    after: RoutingFacts,
    now: dt.datetime,
) -> bool | None:
    """Consent given → the services held back are offered now (True); withdrawn → what providers hold is
    withdrawn, MARAC excepted for high-risk domestic abuse (False); no change in permission → None."""
    live = live_assignments(session, case.id)
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
    case: Case,
    risk_level: str | None,
    facts: RoutingFacts,
    now: dt.datetime,
    live: list[Assignment] | None = None,
) -> list[Assignment]:
    """Offer every service routing wants for the case now that nobody holds or waits on — through the
    consent gate, like every offer (after consent is given, or when a closed case is reopened)."""
    if live is None:
        live = live_assignments(session, case.id)
    held = {a.requested_service or a.service for a in live}
    plan, providers = plan_routes(session, policy, facts)
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
    overdue = list(
        session.scalars(
            select(Assignment)
            .where(Assignment.status == AssignmentStatus.OFFERED, Assignment.respond_by < now)
            .with_for_update(skip_locked=True)
        )
    )
    for assignment in overdue:
        move(session, assignment, AssignmentStatus.EXPIRED, now)
        offer_next(session, policy, assignment, now)
        sync_case_status(session, assignment.case_id, now)
    return len(overdue)


def send_reminders(session: Session, window: dt.timedelta, now: dt.datetime | None = None) -> int:
    """`referral.reminder` to each provider holding an unanswered offer whose respond-by time is within
    `window` — once per offer."""
    now = now or utcnow()
    due = session.execute(
        select(Assignment, Case, TriageDecision.risk_level)
        .join(Case, Case.id == Assignment.case_id)
        .join(TriageDecision, TriageDecision.case_id == Case.id)
        .where(
            Assignment.status == AssignmentStatus.OFFERED,
            Assignment.reminded_at.is_(None),
            Assignment.respond_by <= now + window,
            Assignment.respond_by > now,
        )
        .with_for_update(of=Assignment, skip_locked=True)
    ).all()
    providers = provider_infos(session)[1] if due else {}
    for assignment, case, risk_level in due:
        if assignment.provider_id is None:  # only offers are reminded, and an offer always has a provider
            continue
        assignment.reminded_at = now
        add_delivery(
            session,
            providers[assignment.provider_id],
            WebhookEvent.REMINDER,
            offer_data(assignment, case.reference, risk_level),
            assignment.id,
        )
    return len(due)


def _offerable_again(session: Session, assignment: Assignment) -> bool:
    """A withdrawn assignment may be offered again by a coordinator while its case is open and nothing live
    covers its service (after a case was closed and reopened, every route is withdrawn)."""
    if assignment.status != AssignmentStatus.WITHDRAWN:
        return False
    closed_at = session.scalar(select(Case.closed_at).where(Case.id == assignment.case_id))
    if closed_at is not None:
        return False
    service = assignment.requested_service or assignment.service
    return not any(
        (a.requested_service or a.service) == service for a in live_assignments(session, assignment.case_id)
    )


def reroute(
    session: Session,
    principal: Principal,
    policy: RoutingPolicy,
    assignment_id: uuid.UUID,
    provider_id: str | None,
    request_id: str | None,
) -> Assignment:
    """A coordinator moves an assignment: to a named eligible provider, or the next eligible one."""
    current = session.get(Assignment, assignment_id, with_for_update=True)
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
    sync_case_status(session, current.case_id, now)
    audit(session, principal, "assignment.rerouted", "case", current.case_id, request_id)
    return new
