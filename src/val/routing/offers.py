"""Offers: assignments written in the caller's unit of work, each offer, reminder and withdrawal recorded as a
webhook delivery for its provider (the deliveries table is the outbox)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from val.alerts.kinds import AlertKind
from val.alerts.service import raise_alert
from val.calendar import LONDON
from val.cases import store as cases
from val.db.deferred import read_once
from val.errors import ConflictError, InvalidInputError
from val.routing import store
from val.routing.directory import directory_infos, provider_infos
from val.routing.facts import facts_of_case
from val.routing.rules import Decision, RoutingFacts, RoutingPolicy, consent_permits, pick_provider, route
from val.routing.states import OPEN, AssignmentStatus
from val.routing.store import AssignmentRecord, DirectoryEntry
from val.webhooks.domain import WebhookEvent
from val.webhooks.outbox import add_delivery

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

RESPOND_BY_LOCAL_TIME = dt.time(17, 0)  # the end of the provider's working day, London time


def respond_by(policy: RoutingPolicy, offered_at: dt.datetime, working_days: int) -> dt.datetime:
    day = policy.working_days.due_on(offered_at, working_days)
    return dt.datetime.combine(day, RESPOND_BY_LOCAL_TIME, LONDON).astimezone(dt.UTC)


def offer_data(
    assignment: AssignmentRecord, case_reference: str, risk_level: str | None, sequence: int
) -> dict[str, Any]:
    # Thin: no personal data leaves in a webhook; the provider fetches what its service may see.
    return {
        "assignment_id": str(assignment.id),
        "sequence": sequence,
        "case_reference": case_reference,
        "service": assignment.service,
        "risk_level": risk_level,
        "respond_by": assignment.respond_by.isoformat().replace("+00:00", "Z")
        if assignment.respond_by
        else None,
    }


def _assignment(
    policy: RoutingPolicy,
    providers: Mapping[str, DirectoryEntry],
    *,
    case_id: uuid.UUID,
    service: str,
    provider_id: str | None,
    rule: str,
    because: str,
    requested_service: str | None,
    replaces: uuid.UUID | None,
    now: dt.datetime,
) -> AssignmentRecord:
    provider = providers.get(provider_id) if provider_id else None
    return AssignmentRecord(
        id=uuid.uuid4(),
        case_id=case_id,
        service=service,
        provider_id=provider_id if provider else None,
        status=(AssignmentStatus.OFFERED if provider else AssignmentStatus.UNASSIGNED).value,
        rule=rule,
        because=because,
        requested_service=requested_service,
        respond_by=respond_by(policy, now, provider.respond_by_working_days) if provider else None,
        offered_at=now,
        answered_at=None,
        decline_reason=None,
        decline_code=None,
        outcome=None,
        replaces_id=replaces,
        reminded_at=None,
        updated_at=now,
    )


def _persist(
    session: Session,
    providers: Mapping[str, DirectoryEntry],
    assignments: list[AssignmentRecord],
    case_reference: str,
    risk_level: str | None,
) -> None:
    """One INSERT for all the assignments; then an alert for each unassigned one and a webhook for each offer."""
    store.add(session, assignments)
    for assignment in assignments:
        if assignment.provider_id is None:
            raise_alert(
                session,
                AlertKind.ROUTE_UNASSIGNED,
                f"No eligible provider for {assignment.service}; a coordinator must arrange it.",
                case_id=assignment.case_id,
                assignment_id=assignment.id,
            )
        else:
            add_delivery(
                session,
                providers[assignment.provider_id],
                WebhookEvent.OFFERED,
                offer_data(assignment, case_reference, risk_level, sequence=1),
                assignment.id,
            )


def plan_routes(
    session: Session,
    policy: RoutingPolicy,
    facts: RoutingFacts,
    declined: Mapping[str, frozenset[str]] | None = None,
) -> tuple[Decision, dict[str, DirectoryEntry]]:
    # In a batch (an import's chunk) the directory is read once, with the offers the batch had made by then;
    # the batch's later offers count against capacity on top. Anywhere else it is read fresh every time.
    offers = store.written_in_batch(session)
    directory = read_once(
        session, "routing.directory", lambda: _Directory(store.directory(session), len(offers))
    )
    infos, providers = directory.infos, directory.providers
    if directory.capped and len(offers) > directory.offers_then:
        since = Counter(
            row["provider_id"]
            for row in offers[directory.offers_then :]
            if row["provider_id"] in directory.capped and row["status"] in OPEN
        )
        infos, providers = directory_infos(directory.rows, since)
    return route(policy.table, facts, infos, declined), providers


class _Directory:
    """The directory as read, and how many offers the reader's batch had made by then."""

    def __init__(self, rows: list[DirectoryEntry], offers_then: int) -> None:
        self.rows, self.offers_then = rows, offers_then
        self.infos, self.providers = directory_infos(rows)
        self.capped = {row.id for row in rows if row.capacity is not None}


def create_assignments(
    session: Session,
    policy: RoutingPolicy,
    decision: Decision,
    providers: Mapping[str, DirectoryEntry],
    *,
    case_id: uuid.UUID,
    case_reference: str,
    risk_level: str | None,
    now: dt.datetime,
    only_services: set[str] | None = None,
) -> list[AssignmentRecord]:
    """Offer every route of the decision (those in `only_services`, when set)."""
    assignments = [
        _assignment(
            policy,
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
    _persist(session, providers, assignments, case_reference, risk_level)
    return assignments


class ConsentWithheld(ConflictError):
    """The victim has not consented to this service being offered (the consent gate, docs/domain.md)."""


def offer_next(
    session: Session, policy: RoutingPolicy, assignment: AssignmentRecord, now: dt.datetime
) -> AssignmentRecord | None:
    """After a decline or an expiry: the next eligible provider of the same service that has not had it,
    else back to coordinators; nothing when consent no longer permits the service."""
    try:
        return replace(
            session,
            policy,
            assignment,
            f"{assignment.because}; after {assignment.provider_id} {assignment.status}",
            now,
            excluded=store.providers_tried(session, assignment.case_id, assignment.service),
        )
    except ConsentWithheld:
        return None


def replace(
    session: Session,
    policy: RoutingPolicy,
    previous: AssignmentRecord,
    because: str,
    now: dt.datetime,
    *,
    provider_id: str | None = None,
    excluded: frozenset[str] = frozenset(),
) -> AssignmentRecord:
    """Offer `previous`'s service again: to `provider_id` if given (it must be eligible), else to the first
    eligible provider not in `excluded`, else to coordinators. ConsentWithheld (409) when the victim's consent
    does not permit the service."""
    case, decision, victim, offence = cases.bundle(session, previous.case_id)
    facts = facts_of_case(policy, case, decision, victim, offence)
    if not consent_permits(previous.service, facts):
        raise ConsentWithheld(
            f"The victim's consent ({case.consent_support_referral}) does not permit offering "
            f"{previous.service}; record consent on the case first.",
            field="consent",
        )
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
        policy,
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
    _persist(session, providers, [successor], case.reference, decision.risk_level)
    return successor


def withdraw(
    session: Session, assignment: AssignmentRecord, reason: str, now: dt.datetime
) -> AssignmentRecord:
    """Take an assignment back and tell its provider (`referral.withdrawn`)."""
    withdrawn = store.move(
        session,
        assignment,
        AssignmentStatus.WITHDRAWN,
        now,
        outcome={"withdrawn": reason, "at": now.isoformat()},
    )
    endpoint = store.endpoints_of(session, [assignment.provider_id]).get(assignment.provider_id or "")
    if endpoint is not None:
        add_delivery(
            session,
            endpoint,
            WebhookEvent.WITHDRAWN,
            {
                "assignment_id": str(assignment.id),
                "sequence": store.next_event(session, assignment.id),
                "case_reference": cases.reference_of(session, assignment.case_id),
                "service": assignment.service,
                "reason": reason,
            },
            assignment.id,
        )
    return withdrawn


def notify_updated(session: Session, case_id: uuid.UUID, changed: list[str]) -> int:
    """`referral.updated` to every provider holding the case (offered, accepted, in support), so none acts on
    details that have changed — an IDVA must never ring a number that has become unsafe."""
    held = store.held(session, case_id)
    if not held:
        return 0
    reference = cases.reference_of(session, case_id)
    endpoints = store.endpoints_of(session, (a.provider_id for a in held))
    # One assignment at a time, in id order: two transactions numbering the same assignments lock them in the
    # same order, so they wait for each other rather than deadlock.
    for assignment in sorted(held, key=lambda a: a.id):
        if assignment.provider_id is None:  # an open assignment always has a provider
            continue
        data = {
            "assignment_id": str(assignment.id),
            "sequence": store.next_event(session, assignment.id),
            "case_reference": reference,
            "changed": changed,
        }
        add_delivery(session, endpoints[assignment.provider_id], WebhookEvent.UPDATED, data, assignment.id)
    return len(held)
