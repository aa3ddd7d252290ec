"""Coordinator casework: read a case whole, record consent given or withdrawn after intake, record the
events of its journey. Runs in the caller's unit of work; never commits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.compliance import service as compliance
from val.compliance.models import CaseEvent
from val.db.base import utcnow
from val.errors import NotFoundError
from val.records.lookup import case_bundle
from val.records.models import Case
from val.records.states import CASE_TRANSITIONS
from val.routing.facts import facts_of_case
from val.routing.service import follow_consent
from val.rulebook import Rulebook
from val.triage.domain import CaseStatus, Consent, ConsentModel
from val.triage.rules import consent_decision

# The Victims' Code right that a declined consent makes not applicable, and the reason recorded for it.
REFERRAL_POINT = "R4_REFERRAL_TO_SUPPORT"
REFUSALS = {Consent.DECLINED: "consent_declined", Consent.OPTED_OUT: "opted_out"}


def read_case(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> Case | None:
    """The whole case, for a coordinator; the read itself is audited."""
    case = session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            joinedload(Case.triage),
            joinedload(Case.victim),
            joinedload(Case.offence),
            selectinload(Case.compliance_points),
            selectinload(Case.assignments),
        )
        .execution_options(populate_existing=True)
    )
    if case is None:
        return None
    audit(session, principal, "case.read", "case", case.id, request_id)
    return case


def update_consent(
    session: Session,
    principal: Principal,
    rulebook: Rulebook,
    case_id: uuid.UUID,
    support_referral: str,
    recorded_at: dt.datetime | None,
    request_id: str | None,
) -> Case:
    """Consent recorded after intake: given → the services held back are offered now; withdrawn → what
    providers hold is withdrawn (MARAC excepted for high-risk domestic abuse) and the referral point is no
    longer applicable."""
    case, decision, victim, offence = case_bundle(session, case_id)
    before = facts_of_case(rulebook.routing, case, decision, victim, offence)
    case.consent_support_referral = support_referral
    case.consent_recorded_at = recorded_at or utcnow()
    after = facts_of_case(rulebook.routing, case, decision, victim, offence)
    now = utcnow()
    offered = follow_consent(session, rulebook.routing, case, decision.risk_level, before, after, now)
    if offered is not None:
        _, triage_status, _ = consent_decision(
            ConsentModel(decision.consent_model), Consent(support_referral)
        )
        target = CaseStatus.ROUTED if offered else triage_status
        if target != case.status:
            case.status = CASE_TRANSITIONS.check(case.status, target).value
    reason = REFUSALS.get(Consent(support_referral))
    if reason:
        compliance.set_not_applicable(session, case.id, REFERRAL_POINT, reason, now)
    audit(session, principal, "case.consent_updated", "case", case.id, request_id)
    session.flush()
    updated = read_case(session, principal, case.id, request_id)
    if updated is None:
        raise NotFoundError("No case with this id.")
    return updated


def record_event(
    session: Session,
    principal: Principal,
    rulebook: Rulebook,
    case_id: uuid.UUID,
    event_type: str,
    occurred_at: dt.datetime,
    details: dict[str, Any],
    request_id: str | None,
) -> tuple[CaseEvent, list[dict[str, Any]]]:
    """An event of the case's journey; the Victims' Code points it triggers open with their deadlines."""
    return compliance.record_event(
        session, principal, rulebook.compliance, case_id, event_type, occurred_at, details, request_id
    )
