"""accept_referral: one referral in, one triaged case out — case, victim, offence, triage decision,
outbox row and audit event in a single transaction, or nothing at all."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload, selectinload

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.models import Case, Offence, TriageDecision, Victim
from val.compliance import service as compliance
from val.compliance.models import CompliancePoint
from val.compliance.rules import CaseFacts
from val.db.base import utcnow
from val.messaging import outbox
from val.routing import service as routing
from val.routing.rules import RoutingFacts, offence_to_report_days
from val.rulebook import Rulebook
from val.triage import ReferralFacts, RiskFacts, triage
from val.triage.domain import Consent, RiskLevel

REFERRAL_RECEIVED = "referral.received"


@dataclass(frozen=True)
class IntakeResult:
    case: Case
    created: bool

    @property
    def duplicate_of(self) -> uuid.UUID | None:
        return None if self.created else self.case.id


def duplicate_key(system: str, reference: str, date_of_birth: dt.date) -> str:
    """DOMAIN §3: the same source record about the same victim is the same referral."""
    material = "\x1f".join((system.strip().lower(), reference.strip().lower(), date_of_birth.isoformat()))
    return hashlib.sha256(material.encode()).hexdigest()


def facts_from(referral: dict[str, Any]) -> ReferralFacts:
    offence, victim, risk = referral["offence"], referral["victim"], referral.get("risk") or {}
    return ReferralFacts(
        reported_at=referral["reported_at"],
        date_of_birth=victim["date_of_birth"],
        occurred_at=offence.get("occurred_at"),
        home_office_code=offence.get("home_office_code"),
        flags=frozenset(offence["flags"]),
        hate_strands=frozenset(offence.get("hate_strands") or ()),
        rtc_outcome=offence.get("rtc_outcome"),
        relationship=victim.get("relationship") or "direct",
        vulnerabilities=frozenset(victim.get("vulnerabilities") or ()),
        persistently_targeted=bool(victim.get("persistently_targeted")),
        intimidated=bool(victim.get("intimidated")),
        consent=Consent(referral["consent"]["support_referral"]),
        risk=RiskFacts(
            tool=risk.get("tool"),
            yes_count=risk.get("yes_count"),
            answers=risk.get("answers"),
            assessed_level=RiskLevel(risk["assessed_level"]) if risk.get("assessed_level") else None,
            professional_judgement_high=bool(risk.get("professional_judgement_high")),
            incidents_last_12_months=risk.get("incidents_last_12_months"),
            last_marac_referral_on=risk.get("last_marac_referral_on"),
            cce_level=risk.get("cce_level"),
        ),
    )


def _risk_as_json(risk: dict[str, Any] | None) -> dict[str, Any]:
    if not risk:
        return {}
    marac_on = risk.get("last_marac_referral_on")
    return {**risk, "last_marac_referral_on": marac_on.isoformat() if marac_on else None}


def _existing(session: Session, key: str) -> Case | None:
    return session.scalar(
        select(Case)
        .where(Case.duplicate_key == key)
        .options(
            joinedload(Case.triage), selectinload(Case.compliance_points), selectinload(Case.assignments)
        )
    )


# Statements built once, executed with parameters: building `insert().values(**row)` per request costs more
# CPU than the database work itself (every value is coerced and hashed into the statement's cache key).
_INSERT_CASE = {
    dialect: make_insert(Case.__table__)
    .on_conflict_do_nothing(index_elements=["duplicate_key"])
    .returning(Case.__table__.c.number)
    for dialect, make_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_INSERT_VICTIM = insert(Victim.__table__)
_INSERT_OFFENCE = insert(Offence.__table__)
_INSERT_TRIAGE = insert(TriageDecision.__table__)


def _insert_unless_duplicate(session: Session, row: dict[str, Any]) -> int | None:
    """Insert the case row; None when a case with its duplicate key already exists (or a concurrent request
    is committing one: the database makes us wait for it, then reports the conflict)."""
    return session.execute(_INSERT_CASE[session.get_bind().dialect.name], row).scalar()


def accept_referral(
    session: Session,
    principal: Principal,
    referral: dict[str, Any],
    rulebook: Rulebook,
    request_id: str | None = None,
) -> IntakeResult:
    """`referral` is the validated intake payload (ReferralSchema). Commits once.

    Rows are written with Core inserts rather than the ORM unit of work: intake is the hot path, and the
    response is built from the same values without reading anything back."""
    source, victim_in, offence_in, consent = (
        referral["source"],
        referral["victim"],
        referral["offence"],
        referral["consent"],
    )
    key = duplicate_key(source["system"], source["reference"], victim_in["date_of_birth"])
    outcome = triage(facts_from(referral), rulebook.triage)
    now = utcnow()
    case_row = {
        "id": uuid.uuid4(),
        "status": str(outcome.case_status),
        "source_system": source["system"],
        "source_reference": source["reference"],
        "duplicate_key": key,
        "submitted_by": principal.credential_id,
        "reported_at": referral["reported_at"],
        "received_at": now,
        "policing_area": victim_in["policing_area"],
        "consent_support_referral": consent["support_referral"],
        "consent_recorded_at": consent.get("recorded_at"),
    }
    triage_row = {
        "id": uuid.uuid4(),
        "case_id": case_row["id"],
        "decided_at": now,
        "crime_types": [str(t) for t in outcome.crime_types],
        "risk_level": str(outcome.risk_level) if outcome.risk_level else None,
        "marac": outcome.marac,
        "enhanced_rights": outcome.enhanced_rights,
        "enhanced_reasons": [str(r) for r in outcome.enhanced_reasons],
        "consent_model": str(outcome.consent_model),
        "age_at_offence": outcome.age_at_offence,
        "rules_version": outcome.rules_version,
        "explanation": [r.as_dict() for r in outcome.explanation],
        "risk_input": _risk_as_json(referral.get("risk")),
    }
    facts = RoutingFacts(
        crime_types=tuple(triage_row["crime_types"]),
        risk_level=triage_row["risk_level"],
        age=outcome.age_at_offence,
        policing_area=victim_in["policing_area"],
        relationship=victim_in.get("relationship") or "direct",
        rtc_outcome=offence_in.get("rtc_outcome"),
        children_in_household=victim_in.get("children_in_household") or 0,
        offence_to_report_days=offence_to_report_days(offence_in.get("occurred_at"), referral["reported_at"]),
        referral_permitted=outcome.referral_permitted,
        marac_without_consent=outcome.marac_without_consent,
    )
    decision, providers = routing.plan_routes(session, rulebook, facts)
    # The case's explanation says where the victim went and why, next to how they were triaged.
    triage_row["explanation"] += [
        {"rule": f"route.{r.rule}", "because": f"{r.because} → {r.service} ({r.provider_id or 'unassigned'})"}
        for r in decision.routes
    ] + [
        {"rule": "route.held_for_consent", "because": f"{service} waits for the victim's consent"}
        for service in decision.held_for_consent
    ]
    if outcome.referral_permitted and decision.routes:
        case_row["status"] = "routed"
    number = _insert_unless_duplicate(session, case_row)
    if number is None:
        session.rollback()
        existing = _existing(session, key)
        if existing is None:  # PostgreSQL and SQLite only report a conflict with a committed row
            raise RuntimeError("duplicate key conflict without a committed case")
        return _duplicate(session, principal, existing, request_id)
    session.execute(_INSERT_VICTIM, {"id": uuid.uuid4(), "case_id": case_row["id"], **victim_in})
    session.execute(_INSERT_OFFENCE, {"id": uuid.uuid4(), "case_id": case_row["id"], **offence_in})
    session.execute(_INSERT_TRIAGE, triage_row)
    point_rows = compliance.open_intake_points(
        session,
        rulebook,
        case_row["id"],
        CaseFacts(
            enhanced=outcome.enhanced_rights,
            consent=consent["support_referral"],
            crime_types=tuple(triage_row["crime_types"]),
            home_office_code=offence_in.get("home_office_code"),
        ),
        compliance.grouping_for(
            rulebook,
            triage_row["crime_types"],
            outcome.enhanced_rights,
            victim_in["policing_area"],
            outcome.age_at_offence,
        ),
        reported_at=referral["reported_at"],
        received_at=now,
    )
    reference = Case.reference_for(now, number)
    assignments = routing.create_assignments(
        session,
        rulebook,
        decision,
        providers,
        case_id=case_row["id"],
        case_reference=reference,
        risk_level=triage_row["risk_level"],
        now=now,
    )
    # Thin: ids and decisions only. Consumers read the case itself under their own authority.
    outbox.add(
        session,
        REFERRAL_RECEIVED,
        {
            "case_id": str(case_row["id"]),
            "referral_permitted": outcome.referral_permitted,
            "marac_without_consent": outcome.marac_without_consent,
        },
    )
    audit(session, principal, "referral.accepted", "case", case_row["id"], request_id)
    session.commit()
    # A detached view of what was written, for the response.
    case = Case(number=number, **case_row)
    case.triage = TriageDecision(**triage_row)
    case.compliance_points = [CompliancePoint(**row) for row in point_rows]
    case.assignments = assignments
    return IntakeResult(case=case, created=True)


def _duplicate(session: Session, principal: Principal, case: Case, request_id: str | None) -> IntakeResult:
    audit(session, principal, "referral.duplicate", "case", case.id, request_id)
    session.commit()
    return IntakeResult(case=case, created=False)


def referral_status(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> Case | None:
    """A referral as its submitter may see it; anyone else's is as good as absent."""
    case = session.scalar(
        select(Case).where(Case.id == case_id, Case.submitted_by == principal.credential_id)
    )
    if case is None:
        return None
    audit(session, principal, "referral.status_read", "case", case.id, request_id)
    session.commit()
    return case
