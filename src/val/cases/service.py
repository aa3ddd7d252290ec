from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.models import Case
from val.compliance.models import CompliancePoint
from val.compliance.service import record_event
from val.db.base import utcnow
from val.routing import service as routing
from val.routing.rules import MARAC
from val.rulebook import Rulebook
from val.triage.domain import Consent, ConsentModel
from val.triage.rules import consent_decision

__all__ = ["read_case", "record_event", "update_consent"]


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
    )
    if case is None:
        return None
    audit(session, principal, "case.read", "case", case.id, request_id)
    session.commit()
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
    case, decision, victim, offence = routing.case_bundle(session, case_id)
    before = routing.facts_for_case(rulebook, case, decision, victim, offence)
    case.consent_support_referral = support_referral
    case.consent_recorded_at = recorded_at or utcnow()
    after = routing.facts_for_case(rulebook, case, decision, victim, offence)
    now = utcnow()
    model = ConsentModel(decision.consent_model)
    _, triage_status, _ = consent_decision(model, Consent(support_referral))
    open_now = routing.open_assignments(session, case.id)
    if after.referral_permitted and not before.referral_permitted:
        held = {a.requested_service or a.service for a in open_now}
        plan, providers = routing.plan_routes(session, rulebook, after)
        wanted = {r.requested_service or r.service for r in plan.routes} - held
        routing.create_assignments(
            session,
            rulebook,
            plan,
            providers,
            case_id=case.id,
            case_reference=case.reference,
            risk_level=decision.risk_level,
            now=now,
            only_services=wanted,
        )
        case.status = "routed"
    elif not after.referral_permitted:
        for assignment in open_now:
            if assignment.service == MARAC and after.marac_without_consent:
                continue
            routing.withdraw(session, assignment, "consent withdrawn", now)
        case.status = str(triage_status)
    reason = {"declined": "consent_declined", "opted_out": "opted_out"}.get(support_referral)
    if reason:
        session.execute(
            update(CompliancePoint)
            .where(
                CompliancePoint.case_id == case.id,
                CompliancePoint.code == "R4_REFERRAL_TO_SUPPORT",
                CompliancePoint.status.in_(("pending", "missed")),
            )
            .values(status="not_applicable", reason=reason, updated_at=now)
        )
    audit(session, principal, "case.consent_updated", "case", case.id, request_id)
    session.commit()
    return read_case(session, principal, case.id, request_id)
