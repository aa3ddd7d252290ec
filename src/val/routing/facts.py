"""What routing reads about a case, and how it explains where the victim went. One function builds the facts
for intake, consent changes, declines, expiries and reroutes alike."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from val.routing.rules import Decision, RoutingFacts, RoutingPolicy, offence_to_report_days
from val.triage.domain import Consent, ConsentModel
from val.triage.rules import consent_decision

if TYPE_CHECKING:
    from val.cases.store import CaseRecord, OffenceRecord, TriageRecord, VictimRecord


def routing_facts(
    policy: RoutingPolicy,
    *,
    crime_types: tuple[str, ...],
    risk_level: str | None,
    marac: bool,
    age: int,
    consent_model: str,
    consent: str,
    policing_area: str,
    relationship: str | None,
    rtc_outcome: str | None,
    children_in_household: int | None,
    occurred_at: dt.datetime | None,
    reported_at: dt.datetime,
) -> RoutingFacts:
    permitted, _, _ = consent_decision(ConsentModel(consent_model), Consent(consent))
    return RoutingFacts(
        crime_types=crime_types,
        risk_level=risk_level,
        age=age,
        policing_area=policing_area,
        relationship=relationship or "direct",
        rtc_outcome=rtc_outcome,
        children_in_household=children_in_household or 0,
        offence_to_report_days=offence_to_report_days(occurred_at, reported_at),
        referral_permitted=permitted,
        # docs/domain.md: high-risk domestic abuse is shared with MARAC even without consent, where policy says so.
        marac_without_consent=marac and not permitted and policy.marac_without_consent,
    )


def facts_of_case(
    policy: RoutingPolicy,
    case: CaseRecord,
    decision: TriageRecord,
    victim: VictimRecord,
    offence: OffenceRecord,
) -> RoutingFacts:
    return routing_facts(
        policy,
        crime_types=tuple(decision.crime_types),
        risk_level=decision.risk_level,
        marac=decision.marac,
        age=decision.age_at_offence,
        consent_model=decision.consent_model,
        consent=case.consent_support_referral,
        policing_area=case.policing_area,
        relationship=victim.relationship,
        rtc_outcome=offence.rtc_outcome,
        children_in_household=victim.children_in_household,
        occurred_at=offence.occurred_at,
        reported_at=case.reported_at,
    )


def explain(decision: Decision) -> list[dict[str, Any]]:
    """The lines routing adds to a case's explanation: where each service went and why, and what waits."""
    return [
        {"rule": f"route.{r.rule}", "because": f"{r.because} → {r.service} ({r.provider_id or 'unassigned'})"}
        for r in decision.routes
    ] + [
        {"rule": "route.held_for_consent", "because": f"{service} waits for the victim's consent"}
        for service in decision.held_for_consent
    ]
