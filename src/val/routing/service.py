"""Routing in the database: assignments offered in the intake transaction, answered by providers, expired,
declined or withdrawn — each change telling the provider concerned through a signed webhook."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.models import Case, Offence, TriageDecision, Victim
from val.compliance.calendar import LONDON
from val.db.base import utcnow
from val.errors import ConflictError, InvalidInputError, NotFoundError
from val.providers.models import Provider
from val.routing.models import Alert, Assignment
from val.routing.rules import (
    Decision,
    ProviderInfo,
    RoutingFacts,
    offence_to_report_days,
    pick_provider,
    route,
)
from val.rulebook import Rulebook
from val.triage.domain import Consent, ConsentModel
from val.triage.rules import consent_decision
from val.webhooks.service import add_delivery

OPEN = ("offered", "accepted", "in_support")
ANSWERABLE = ("offered",)
RESPOND_BY_LOCAL_TIME = dt.time(17, 0)  # the end of the provider's working day, London time


_P = Provider.__table__.c
_DIRECTORY = select(
    _P.id,
    _P.services,
    _P.policing_areas,
    _P.min_age,
    _P.max_age,
    _P.active,
    _P.admin_disabled,
    _P.capacity,
    _P.respond_by_working_days,
    _P.webhook_url,
    _P.endpoint_disabled_at,
    _P.settings,
)


def provider_infos(session: Session) -> tuple[list[ProviderInfo], dict[str, Any]]:
    """The directory as routing sees it, read fresh (a disabled provider is passed over at once). Plain rows,
    not ORM objects: this runs in every intake."""
    providers = sorted(
        session.execute(_DIRECTORY).all(), key=lambda p: (p.settings or {}).get("position", 1_000)
    )
    limited = [p.id for p in providers if p.capacity is not None]
    load: dict[str, int] = {}
    if limited:
        load = dict(
            session.execute(
                select(Assignment.provider_id, func.count())
                .where(Assignment.provider_id.in_(limited), Assignment.status.in_(OPEN))
                .group_by(Assignment.provider_id)
            ).all()
        )
    infos = [
        ProviderInfo(
            id=p.id,
            services=tuple(p.services),
            policing_areas=tuple(p.policing_areas),
            min_age=p.min_age,
            max_age=p.max_age,
            available=p.active and not p.admin_disabled,
            capacity=p.capacity,
            open_assignments=load.get(p.id, 0),
        )
        for p in providers
    ]
    return infos, {p.id: p for p in providers}


def respond_by(rulebook: Rulebook, offered_at: dt.datetime, working_days: int) -> dt.datetime:
    day = rulebook.working_days.due_on(offered_at, working_days)
    return dt.datetime.combine(day, RESPOND_BY_LOCAL_TIME, LONDON).astimezone(dt.UTC)


def _offer_data(assignment: Assignment, case_reference: str, risk_level: str | None) -> dict[str, Any]:
    # Thin: no personal data leaves in a webhook; the provider fetches what its service may see.
    return {
        "assignment_id": str(assignment.id),
        "case_reference": case_reference,
        "service": assignment.service,
        "risk_level": risk_level,
        "respond_by": assignment.respond_by.isoformat().replace("+00:00", "Z")
        if assignment.respond_by
        else None,
    }


_INSERT_ASSIGNMENT = insert(Assignment.__table__)
_ASSIGNMENT_COLUMNS = tuple(c.key for c in Assignment.__table__.columns)


def _assignment(
    rulebook: Rulebook,
    providers: dict[str, Any],
    *,
    case_id: uuid.UUID,
    service: str,
    provider_id: str | None,
    rule: str,
    because: str,
    requested_service: str | None,
    replaces: uuid.UUID | None,
    now: dt.datetime,
) -> Assignment:
    provider = providers.get(provider_id) if provider_id else None
    return Assignment(
        id=uuid.uuid4(),
        case_id=case_id,
        service=service,
        provider_id=provider_id if provider else None,
        status="offered" if provider else "unassigned",
        rule=rule,
        because=because,
        requested_service=requested_service,
        offered_at=now,
        replaces_id=replaces,
        updated_at=now,
        respond_by=respond_by(rulebook, now, provider.respond_by_working_days) if provider else None,
    )


def _persist(
    session: Session,
    providers: dict[str, Any],
    assignments: list[Assignment],
    case_reference: str,
    risk_level: str | None,
    now: dt.datetime,
) -> None:
    """One INSERT for all the assignments; then an alert for each unassigned one and a webhook for each offer."""
    if not assignments:
        return
    session.execute(
        _INSERT_ASSIGNMENT, [{c: getattr(a, c) for c in _ASSIGNMENT_COLUMNS} for a in assignments]
    )
    for assignment in assignments:
        if assignment.provider_id is None:
            session.add(
                Alert(
                    kind="route_unassigned",
                    case_id=assignment.case_id,
                    assignment_id=assignment.id,
                    created_at=now,
                    detail=f"No eligible provider for {assignment.service}; a coordinator must arrange it.",
                )
            )
        else:
            add_delivery(
                session,
                providers[assignment.provider_id],
                "referral.offered",
                _offer_data(assignment, case_reference, risk_level),
                assignment.id,
            )


def plan_routes(session: Session, rulebook: Rulebook, facts: RoutingFacts) -> tuple[Decision, dict[str, Any]]:
    infos, providers = provider_infos(session)
    return route(rulebook.routing, facts, infos), providers


def create_assignments(
    session: Session,
    rulebook: Rulebook,
    decision: Decision,
    providers: dict[str, Any],
    *,
    case_id: uuid.UUID,
    case_reference: str,
    risk_level: str | None,
    now: dt.datetime,
    only_services: set[str] | None = None,
) -> list[Assignment]:
    """Offer every route of the decision (those in `only_services`, when set)."""
    assignments = [
        _assignment(
            rulebook,
            providers,
            case_id=case_id,
            service=r.service,
            provider_id=r.provider_id,
            rule=r.rule,
            because=r.because,
            requested_service=r.requested_service,
            replaces=None,
            now=now,
        )
        for r in decision.routes
        if only_services is None or (r.requested_service or r.service) in only_services
    ]
    _persist(session, providers, assignments, case_reference, risk_level, now)
    return assignments


def case_bundle(session: Session, case_id: uuid.UUID) -> tuple[Case, TriageDecision, Victim, Offence]:
    row = session.execute(
        select(Case, TriageDecision, Victim, Offence)
        .join(TriageDecision, TriageDecision.case_id == Case.id)
        .join(Victim, Victim.case_id == Case.id)
        .join(Offence, Offence.case_id == Case.id)
        .where(Case.id == case_id)
    ).first()
    if row is None:
        raise NotFoundError("No case with this id.")
    return row


def facts_for_case(
    rulebook: Rulebook, case: Case, decision: TriageDecision, victim: Victim, offence: Offence
) -> RoutingFacts:
    permitted, _, _ = consent_decision(
        ConsentModel(decision.consent_model), Consent(case.consent_support_referral)
    )
    return RoutingFacts(
        crime_types=tuple(decision.crime_types),
        risk_level=decision.risk_level,
        age=decision.age_at_offence,
        policing_area=case.policing_area,
        relationship=victim.relationship,
        rtc_outcome=offence.rtc_outcome,
        children_in_household=victim.children_in_household,
        offence_to_report_days=offence_to_report_days(offence.occurred_at, case.reported_at),
        referral_permitted=permitted,
        marac_without_consent=decision.marac and not permitted and rulebook.triage.marac_without_consent,
    )


def _owned(session: Session, principal: Principal, assignment_id: uuid.UUID) -> Assignment:
    """A provider's own assignment; any other id is as good as absent (404, never 403)."""
    assignment = session.get(Assignment, assignment_id, with_for_update=True)
    if (
        assignment is None
        or assignment.provider_id is None
        or assignment.provider_id != principal.provider_id
    ):
        raise NotFoundError("No referral with this id for this provider.")
    return assignment


def accept(
    session: Session, principal: Principal, assignment_id: uuid.UUID, request_id: str | None
) -> Assignment:
    assignment = _owned(session, principal, assignment_id)
    if assignment.status not in ANSWERABLE:
        raise ConflictError(f"The referral is {assignment.status}; only an offered referral can be accepted.")
    now = utcnow()
    assignment.status, assignment.answered_at, assignment.updated_at = "accepted", now, now
    audit(session, principal, "assignment.accepted", "assignment", assignment.id, request_id)
    session.commit()
    return assignment


def offer_next(session: Session, rulebook: Rulebook, assignment: Assignment, now: dt.datetime) -> Assignment:
    """After a decline or an expiry: the next eligible provider of the same service that has not had it,
    else back to coordinators."""
    tried = set(
        session.scalars(
            select(Assignment.provider_id).where(
                Assignment.case_id == assignment.case_id,
                Assignment.service == assignment.service,
                Assignment.provider_id.is_not(None),
            )
        )
    )
    return _replace(
        session,
        rulebook,
        assignment,
        f"{assignment.because}; after {assignment.provider_id} {assignment.status}",
        now,
        excluded=frozenset(tried),
    )


def _replace(
    session: Session,
    rulebook: Rulebook,
    previous: Assignment,
    because: str,
    now: dt.datetime,
    *,
    provider_id: str | None = None,
    excluded: frozenset[str] = frozenset(),
) -> Assignment:
    """Offer `previous`'s service again: to `provider_id` if given (it must be eligible), else to the first
    eligible provider not in `excluded`, else to coordinators."""
    case, decision, victim, offence = case_bundle(session, previous.case_id)
    facts = facts_for_case(rulebook, case, decision, victim, offence)
    infos, providers = provider_infos(session)
    if provider_id is not None:
        chosen = next((p for p in infos if p.id == provider_id), None)
        if chosen is None or not chosen.can_take(previous.service, facts):
            raise InvalidInputError(
                f"{provider_id} cannot take {previous.service} for this victim.", field="provider"
            )
    else:
        provider_id = pick_provider(previous.service, facts, infos, excluded=excluded)
    successor = _assignment(
        rulebook,
        providers,
        case_id=case.id,
        service=previous.service,
        provider_id=provider_id,
        rule=previous.rule,
        because=because,
        requested_service=previous.requested_service,
        replaces=previous.id,
        now=now,
    )
    _persist(session, providers, [successor], case.reference, decision.risk_level, now)
    return successor


def decline(
    session: Session,
    principal: Principal,
    rulebook: Rulebook,
    assignment_id: uuid.UUID,
    reason: str,
    request_id: str | None,
) -> Assignment:
    assignment = _owned(session, principal, assignment_id)
    if assignment.status not in ANSWERABLE:
        raise ConflictError(f"The referral is {assignment.status}; only an offered referral can be declined.")
    now = utcnow()
    assignment.status, assignment.answered_at, assignment.updated_at = "declined", now, now
    assignment.decline_reason = reason
    offer_next(session, rulebook, assignment, now)
    audit(session, principal, "assignment.declined", "assignment", assignment.id, request_id)
    session.commit()
    return assignment


OUTCOMES = {
    "in_support": "in_support",  # support has started
    "supported": "closed",
    "unable_to_contact": "closed",
    "support_declined": "closed",
    "transferred": "closed",
}


def record_outcome(
    session: Session,
    principal: Principal,
    assignment_id: uuid.UUID,
    outcome: str,
    at: dt.datetime,
    request_id: str | None,
) -> Assignment:
    assignment = _owned(session, principal, assignment_id)
    allowed = ("accepted",) if outcome == "in_support" else ("accepted", "in_support")
    if assignment.status not in allowed:
        raise ConflictError(f"The referral is {assignment.status}; accept it before reporting {outcome}.")
    if at < assignment.offered_at:
        raise InvalidInputError("The outcome is dated before the referral was offered.", field="at")
    assignment.status = OUTCOMES[outcome]
    assignment.outcome = {"outcome": outcome, "at": at.isoformat()}
    assignment.updated_at = utcnow()
    audit(session, principal, f"assignment.{outcome}", "assignment", assignment.id, request_id)
    session.commit()
    return assignment


def expire_overdue(session: Session, rulebook: Rulebook, now: dt.datetime | None = None) -> int:
    """Offers not answered by their respond-by time expire, and go to the next eligible provider."""
    now = now or utcnow()
    overdue = list(
        session.scalars(
            select(Assignment)
            .where(Assignment.status == "offered", Assignment.respond_by < now)
            .with_for_update(skip_locked=True)
        )
    )
    for assignment in overdue:
        assignment.status, assignment.updated_at = "expired", now
        offer_next(session, rulebook, assignment, now)
    session.commit()
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
            Assignment.status == "offered",
            Assignment.reminded_at.is_(None),
            Assignment.respond_by <= now + window,
            Assignment.respond_by > now,
        )
        .with_for_update(of=Assignment, skip_locked=True)
    ).all()
    _, providers = provider_infos(session) if due else ([], {})
    for assignment, case, risk_level in due:
        assignment.reminded_at = now
        add_delivery(
            session,
            providers[assignment.provider_id],
            "referral.reminder",
            _offer_data(assignment, case.reference, risk_level),
            assignment.id,
        )
    session.commit()
    return len(due)


def withdraw(session: Session, assignment: Assignment, reason: str, now: dt.datetime) -> None:
    """Take an assignment back and tell its provider (`referral.withdrawn`)."""
    assignment.status, assignment.updated_at = "withdrawn", now
    assignment.outcome = {"withdrawn": reason, "at": now.isoformat()}
    provider = session.get(Provider, assignment.provider_id) if assignment.provider_id else None
    if provider is not None:
        case = session.scalar(select(Case).where(Case.id == assignment.case_id))
        add_delivery(
            session,
            provider,
            "referral.withdrawn",
            {
                "assignment_id": str(assignment.id),
                "case_reference": case.reference,
                "service": assignment.service,
                "reason": reason,
            },
            assignment.id,
        )


def open_assignments(session: Session, case_id: uuid.UUID) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment).where(
                Assignment.case_id == case_id, Assignment.status.in_((*OPEN, "unassigned"))
            )
        )
    )


def reroute(
    session: Session,
    principal: Principal,
    rulebook: Rulebook,
    assignment_id: uuid.UUID,
    provider_id: str | None,
    request_id: str | None,
) -> Assignment:
    """A coordinator moves an assignment: to a named eligible provider, or the next eligible one."""
    current = session.get(Assignment, assignment_id, with_for_update=True)
    if current is None:
        raise NotFoundError("No assignment with this id.")
    if current.status not in (*OPEN, "unassigned", "declined", "expired"):
        raise ConflictError(f"The assignment is {current.status}; it cannot be rerouted.")
    now = utcnow()
    if current.status in OPEN:
        withdraw(session, current, "rerouted by a coordinator", now)
    new = _replace(
        session,
        rulebook,
        current,
        f"rerouted by {principal.name}",
        now,
        provider_id=provider_id,
        excluded=frozenset({current.provider_id or ""}),
    )
    audit(session, principal, "assignment.rerouted", "case", current.case_id, request_id)
    session.commit()
    return new


def list_alerts(
    session: Session, principal: Principal, *, only_open: bool, limit: int, request_id: str | None
) -> list[Alert]:
    query = select(Alert).order_by(Alert.created_at.desc()).limit(limit)
    if only_open:
        query = query.where(Alert.resolved_at.is_(None))
    alerts = list(session.scalars(query))
    audit(session, principal, "alerts.listed", "alert", "list", request_id)
    session.commit()
    return alerts


def resolve_alert(
    session: Session, principal: Principal, alert_id: uuid.UUID, request_id: str | None
) -> Alert:
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None:
        raise NotFoundError("No alert with this id.")
    if alert.resolved_at is None:
        alert.resolved_at = utcnow()
    audit(session, principal, "alert.resolved", "alert", alert.id, request_id)
    session.commit()
    return alert
