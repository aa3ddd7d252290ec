"""accept_referral: one referral in, one triaged case out — case, victim, offence, triage decision, points,
assignments with their webhook deliveries and the audit event in the caller's transaction, or nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import COORDINATOR_SOURCE, Principal, Role
from val.cases.matching import MatchKeyer
from val.cases.normalise import family_name_key, phone_e164
from val.cases.references import reference_for
from val.cases.repeats import RepeatHistory, window_start
from val.cases.store import repeat_history
from val.compliance import store as compliance
from val.compliance.service import earliest_open_due, insert_points, intake_point_rows
from val.db.base import utcnow
from val.db.session import pipelined
from val.errors import ForbiddenError
from val.referrals import store
from val.referrals.domain import Referral, Risk, as_row
from val.referrals.domain import Victim as ReferredVictim
from val.referrals.written import WrittenCase, as_written
from val.routing import store as routing
from val.routing.facts import explain, routing_facts
from val.routing.offers import create_assignments, plan_routes
from val.routing.rules import Decision, RoutingFacts
from val.routing.store import AssignmentRecord
from val.rulebook import Rulebook
from val.triage import ReferralFacts, RiskFacts, triage
from val.triage.domain import CaseStatus, Consent, RiskLevel, TriageOutcome

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class IntakeResult:
    case: WrittenCase
    created: bool
    # False for a duplicate of a case another credential submitted: the caller learns that it is a duplicate
    # and the case's reference, nothing of its triage, routes or points.
    submitted_by_caller: bool = True

    @property
    def duplicate_of(self) -> uuid.UUID | None:
        return None if self.created else self.case.id


def duplicate_key(system: str, reference: str, date_of_birth: dt.date) -> str:
    """docs/domain.md: the same source record about the same victim is the same referral."""
    material = "\x1f".join((system.strip().lower(), reference.strip().lower(), date_of_birth.isoformat()))
    return hashlib.sha256(material.encode()).hexdigest()


def source_refusal(principal: Principal, referral: Referral) -> str | None:
    """Why `principal` may not submit this referral: its source system is not one the credential is bound to
    (a sender claiming another system's references could make the genuine referral a duplicate of its own)."""
    system = referral.source.system
    if principal.may_submit_for(system):
        return None
    if principal.role is Role.COORDINATOR:
        return (
            f"A referral a coordinator enters has the source system {COORDINATOR_SOURCE!r}, not {system!r}: "
            "a police system's references are its own."
        )
    allowed = ", ".join(sorted(principal.source_systems or ())) or "none (ask an admin to bind it)"
    return f"This credential submits referrals from {allowed} only, not {system!r}."


def facts_from(referral: Referral, repeat: RepeatHistory | None = None) -> ReferralFacts:
    offence, victim, risk = referral.offence, referral.victim, referral.risk or Risk()
    return ReferralFacts(
        reported_at=referral.reported_at,
        date_of_birth=victim.date_of_birth,
        occurred_at=offence.occurred_at,
        home_office_code=offence.home_office_code,
        flags=frozenset(offence.flags),
        hate_strands=frozenset(offence.hate_strands),
        rtc_outcome=offence.rtc_outcome,
        relationship=victim.relationship,
        vulnerabilities=frozenset(victim.vulnerabilities),
        persistently_targeted=victim.persistently_targeted,
        intimidated=victim.intimidated,
        consent=Consent(referral.consent.support_referral),
        risk=RiskFacts(
            tool=risk.tool,
            yes_count=risk.yes_count,
            answers=risk.answers,
            assessed_level=RiskLevel(risk.assessed_level) if risk.assessed_level else None,
            professional_judgement_high=risk.professional_judgement_high,
            incidents_last_12_months=risk.incidents_last_12_months,
            last_marac_referral_on=risk.last_marac_referral_on,
            cce_level=risk.cce_level,
            previous_marac_case_on=repeat.last_marac_case_on if repeat else None,
        ),
    )


def _risk_as_json(risk: Risk | None) -> dict[str, Any]:
    if risk is None:
        return {}
    marac_on = risk.last_marac_referral_on
    return {**as_row(risk), "last_marac_referral_on": marac_on.isoformat() if marac_on else None}


def accept_referral(
    session: Session,
    principal: Principal,
    referral: Referral,
    rulebook: Rulebook,
    request_id: str | None = None,
    repeat_keyer: MatchKeyer | None = None,
) -> IntakeResult:
    """`referral` is the intake payload as ReferralSchema loaded it. Writes the case, its triage, points,
    assignments, their webhook deliveries and the audit event in the caller's unit of work. With a
    `repeat_keyer`, earlier cases of the same victim feed triage (docs/data-lifecycle.md). Rows are written with Core inserts rather than the ORM unit of work: intake is the hot path, and the
    response is built from the same values without reading anything back."""
    source, victim = referral.source, referral.victim
    refused = source_refusal(principal, referral)
    if refused is not None:
        raise ForbiddenError(refused, field="source.system")
    key = duplicate_key(source.system, source.reference, victim.date_of_birth)
    now = utcnow()
    match_key = _match_key(repeat_keyer, victim)
    repeat = _repeat_history(session, match_key, now)
    outcome = triage(facts_from(referral, repeat), rulebook.triage)
    decision, providers = plan_routes(session, rulebook.routing, _routing_facts(rulebook, referral, outcome))
    case_row = _case_row(principal, referral, key, outcome, decision, now, repeat)
    point_rows = _intake_points(rulebook, case_row, referral, outcome, now)
    case_row["earliest_open_due_on"] = earliest_open_due(point_rows)
    number = store.add_case_unless_duplicate(session, case_row)
    if number is None:
        return _duplicate(session, principal, key, request_id)
    triage_row = _triage_row(case_row["id"], referral, outcome, decision, now)
    # Inserts only from here: one round trip for all of them instead of one each.
    with pipelined(session):
        _insert_record(session, case_row["id"], referral, triage_row, match_key)
        insert_points(session, point_rows)
        assignments = _offer(session, rulebook, decision, providers, case_row["id"], number, triage_row, now)
        audit(session, principal, "referral.accepted", "case", case_row["id"], request_id)
    return IntakeResult(case=as_written(number, case_row, triage_row, point_rows, assignments), created=True)


def _repeat_history(session: Session, match_key: str | None, now: dt.datetime) -> RepeatHistory:
    if match_key is None or not store.may_have_history(session, match_key):
        return RepeatHistory()
    if store.victim_queued_with(session, match_key):
        store.write_queued(session)  # an earlier referral of this batch is about the same victim
    return repeat_history(session, match_key, now)


def prepare_batch(session: Session, referrals: list[Referral], repeat_keyer: MatchKeyer | None) -> None:
    """Inside a batch's `deferred_inserts` block, before its first `accept_referral`: which of its victims were
    seen before is read in one statement instead of one per referral."""
    if repeat_keyer is not None and len(referrals) > 1:  # alone, its own lookup is the one statement
        keys = {
            key for referral in referrals if (key := _match_key(repeat_keyer, referral.victim)) is not None
        }
        store.read_victims_seen(session, keys, window_start(utcnow()))


def _offer(
    session: Session,
    rulebook: Rulebook,
    decision: Decision,
    providers: dict[str, Any],
    case_id: uuid.UUID,
    number: int,
    triage_row: dict[str, Any],
    now: dt.datetime,
) -> list[AssignmentRecord]:
    return create_assignments(
        session,
        rulebook.routing,
        decision,
        providers,
        case_id=case_id,
        case_reference=reference_for(now, number),
        risk_level=triage_row["risk_level"],
        now=now,
    )


def _match_key(keyer: MatchKeyer | None, victim: ReferredVictim) -> str | None:
    if keyer is None:
        return None
    return keyer.key_for(victim.family_name, victim.date_of_birth, victim.postcode)


def _insert_record(
    session: Session,
    case_id: uuid.UUID,
    referral: Referral,
    triage_row: dict[str, Any],
    match_key: str | None,
) -> None:
    victim = referral.victim
    store.add_record(
        session,
        {
            "id": uuid.uuid4(),
            "case_id": case_id,
            **as_row(victim),
            "family_name_key": family_name_key(victim.family_name),
            "phone_e164": phone_e164(victim.contact.phone),
            "match_key": match_key,
        },
        {"id": uuid.uuid4(), "case_id": case_id, **as_row(referral.offence)},
        triage_row,
    )


def _intake_points(
    rulebook: Rulebook,
    case_row: dict[str, Any],
    referral: Referral,
    outcome: TriageOutcome,
    now: dt.datetime,
) -> list[dict[str, Any]]:
    return intake_point_rows(
        rulebook.compliance,
        case_row["id"],
        enhanced=outcome.enhanced_rights,
        consent=case_row["consent_support_referral"],
        crime_types=[str(t) for t in outcome.crime_types],
        home_office_code=referral.offence.home_office_code,
        policing_area=case_row["policing_area"],
        age=outcome.age_at_offence,
        reported_at=referral.reported_at,
        received_at=now,
    )


def _routing_facts(rulebook: Rulebook, referral: Referral, outcome: TriageOutcome) -> RoutingFacts:
    victim, offence = referral.victim, referral.offence
    return routing_facts(
        rulebook.routing,
        crime_types=tuple(str(t) for t in outcome.crime_types),
        risk_level=str(outcome.risk_level) if outcome.risk_level else None,
        marac=outcome.marac,
        age=outcome.age_at_offence,
        consent_model=str(outcome.consent_model),
        consent=referral.consent.support_referral,
        policing_area=victim.policing_area,
        relationship=victim.relationship,
        rtc_outcome=offence.rtc_outcome,
        children_in_household=victim.children_in_household,
        occurred_at=offence.occurred_at,
        reported_at=referral.reported_at,
    )


def _case_row(
    principal: Principal,
    referral: Referral,
    key: str,
    outcome: TriageOutcome,
    decision: Decision,
    now: dt.datetime,
    repeat: RepeatHistory,
) -> dict[str, Any]:
    source, consent = referral.source, referral.consent
    routed = outcome.referral_permitted and bool(decision.routes)
    return {
        "id": uuid.uuid4(),
        "status": (CaseStatus.ROUTED if routed else outcome.case_status).value,
        "source_system": source.system,
        "source_reference": source.reference,
        "duplicate_key": key,
        "submitted_by": principal.credential_id,
        "reported_at": referral.reported_at,
        "received_at": now,
        "policing_area": referral.victim.policing_area,
        "consent_support_referral": consent.support_referral,
        "consent_recorded_at": consent.recorded_at,
        "owner_id": None,
        "version": 1,
        "etag_secret": secrets.token_hex(16),
        "closed_at": None,
        "closure_outcome": None,
        "risk_level": str(outcome.risk_level) if outcome.risk_level else None,
        "enhanced_rights": outcome.enhanced_rights,
        "crime_types_key": "|" + "|".join(str(t) for t in outcome.crime_types) + "|",
        "repeat_previous_cases": repeat.previous_cases,
        "repeat_last_received_on": repeat.last_received_on,
        "anonymised_at": None,
    }


def _triage_row(
    case_id: uuid.UUID, referral: Referral, outcome: TriageOutcome, decision: Decision, now: dt.datetime
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "case_id": case_id,
        "decided_at": now,
        "crime_types": [str(t) for t in outcome.crime_types],
        "risk_level": str(outcome.risk_level) if outcome.risk_level else None,
        "marac": outcome.marac,
        "enhanced_rights": outcome.enhanced_rights,
        "enhanced_reasons": [str(r) for r in outcome.enhanced_reasons],
        "consent_model": str(outcome.consent_model),
        "age_at_offence": outcome.age_at_offence,
        "rules_version": outcome.rules_version,
        # The case's explanation says where the victim went and why, next to how they were triaged.
        "explanation": [r.as_dict() for r in outcome.explanation] + explain(decision),
        "risk_input": _risk_as_json(referral.risk),
    }


def _duplicate(session: Session, principal: Principal, key: str, request_id: str | None) -> IntakeResult:
    store.write_queued(session)  # the case may be one of this batch's, its rows still queued
    found = store.case_by_duplicate_key(session, key)
    if found is None:  # PostgreSQL and SQLite only report a conflict with a committed row
        raise RuntimeError("duplicate key conflict without a committed case")
    case, triage_ = found
    audit(session, principal, "referral.duplicate", "case", case.id, request_id)
    existing = WrittenCase(
        id=case.id,
        number=case.number,
        status=case.status,
        received_at=case.received_at,
        submitted_by=case.submitted_by,
        triage=triage_,
        compliance_points=compliance.points_of_case(session, case.id),
        assignments=routing.of_case(session, case.id),
    )
    return IntakeResult(
        case=existing, created=False, submitted_by_caller=case.submitted_by == principal.credential_id
    )
