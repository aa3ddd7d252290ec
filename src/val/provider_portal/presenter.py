"""Presents a referral to a provider. What each service may see of a referral (docs/providers.md; the privacy
rules in docs/domain.md): the least it needs. Nobody but coordinators sees the free-text offence description; Climb never sees DASH answers. Written down in docs/providers.md."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from val.triage.domain import REPEAT_VICTIM_RULE

if TYPE_CHECKING:
    from val.cases.store import CaseRecord as Case
    from val.cases.store import OffenceRecord as Offence
    from val.cases.store import TriageRecord as TriageDecision
    from val.cases.store import VictimRecord as Victim
    from val.routing.store import AssignmentRecord as Assignment

CONTACT = ("given_name", "family_name", "contact", "language", "needs_interpreter")
IDENTITY = ("date_of_birth", "postcode")

# Field groups per service: "victim.<field>", "offence.<field>", "triage.<field>", "risk.<field>".
SERVICE_FIELDS: dict[str, tuple[str, ...]] = {
    "victim_care": (*CONTACT, "vulnerabilities", "triage.crime_types", "triage.enhanced_rights"),
    "domestic_abuse_support": (
        *CONTACT,
        *IDENTITY,
        "children_in_household",
        "vulnerabilities",
        "triage.risk_level",
        "risk.yes_count",
    ),
    "idva": (
        *CONTACT,
        *IDENTITY,
        "children_in_household",
        "vulnerabilities",
        "in_hospital",
        "triage.risk_level",
        "risk.yes_count",
        "risk.answers",
        "risk.incidents_last_12_months",
        "risk.last_marac_referral_on",
        "offence.occurred_at",
    ),
    "marac": (
        *CONTACT,
        *IDENTITY,
        "children_in_household",
        "vulnerabilities",
        "triage.risk_level",
        "triage.explanation",
        "risk.yes_count",
        "risk.answers",
        "risk.incidents_last_12_months",
        "risk.last_marac_referral_on",
        "risk.professional_judgement_high",
        "offence.occurred_at",
    ),
    "cyp_domestic_abuse": (*CONTACT, "postcode", "children_in_household", "triage.risk_level"),
    "isva": (*CONTACT, "date_of_birth", "gender", "vulnerabilities", "offence.occurred_at"),
    "chisva": (*CONTACT, "date_of_birth", "gender", "vulnerabilities", "offence.occurred_at"),
    "sarc": (*CONTACT, "date_of_birth", "gender", "offence.occurred_at"),
    "climb": (*CONTACT, "date_of_birth", "postcode", "vulnerabilities", "risk.cce_level"),
    "hate_crime_advocacy": (*CONTACT, "vulnerabilities", "offence.hate_strands"),
    "road_victim_support": (*CONTACT, "relationship", "offence.rtc_outcome", "offence.occurred_at"),
    "homicide_bereavement": (*CONTACT, "relationship", "offence.occurred_at"),
    "modern_slavery_support": (*CONTACT, "vulnerabilities"),
}


def _plain(value: Any) -> Any:
    """Dates as ISO 8601, like the rest of the API (a bare dict field would otherwise render them as HTTP
    dates)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# Once a referral is no longer the provider's, it sees the status alone.
NO_LONGER_THEIRS = ("withdrawn", "declined", "expired")


def still_theirs(assignment: Assignment, now: dt.datetime, keep_after_close: dt.timedelta) -> bool:
    """Whether the provider may still see who the victim is: while the referral is theirs, and for
    `keep_after_close` after they closed it (to finish their records)."""
    if assignment.status in NO_LONGER_THEIRS:
        return False
    if assignment.status == "closed":
        return now - assignment.updated_at <= keep_after_close
    return True


def status_only(assignment: Assignment, case: Case) -> dict[str, Any]:
    return {**summary(assignment, case), "outcome": assignment.outcome}


def summary(assignment: Assignment, case: Case) -> dict[str, Any]:
    return {
        "assignment_id": assignment.id,
        "case_reference": case.reference,
        "service": assignment.service,
        "status": assignment.status,
        "offered_at": assignment.offered_at,
        "respond_by": assignment.respond_by,
        "policing_area": case.policing_area,
    }


# Before a provider accepts, it sees what it needs to decide whether it can take the referral, and nothing that
# says who the victim is: a provider that declines never learned a name, a number or an address.
OFFER_STAGE = {
    "stage": "offer",
    "reason": "What you need to decide; who the victim is and how to reach them are shown once you accept.",
}
FULL = {
    "stage": "full",
    "reason": "The referral is yours: everything your service needs to support the victim.",
}
# MARAC is a safeguarding conference for high-risk domestic abuse, not a service the victim is offered: the
# conference needs to know who is at risk to share what agencies hold, so it sees everything from the offer.
MARAC_AT_OFFER = {
    "stage": "full",
    "reason": "A MARAC referral is a safeguarding referral, not an offer of support: the conference needs to "
    "know who is at risk to plan their safety, so it is shown in full from the offer (docs/domain.md).",
}
MARAC = "marac"

# Wide enough to say nothing of the person, narrow enough for every provider's age limits (11-17 for Climb,
# under 18 for CHISVA, 16+ for domestic abuse services).
AGE_BANDS = ((11, "under_11"), (16, "11_15"), (18, "16_17"), (25, "18_24"), (45, "25_44"), (65, "45_64"))


AGE_BAND_NAMES = (*(band for _, band in AGE_BANDS), "65_plus")


def decision_age_band(age: int) -> str:
    return next((band for upper, band in AGE_BANDS if age < upper), "65_plus")


def referral_for_provider(
    assignment: Assignment, case: Case, victim: Victim, offence: Offence, decision: TriageDecision
) -> dict[str, Any]:
    if assignment.status == "offered" and assignment.service != MARAC:
        return offer_for_provider(assignment, case, victim, decision)
    view = summary(assignment, case)
    victim_view: dict[str, Any] = {}
    offence_view: dict[str, Any] = {}
    triage_view: dict[str, Any] = {}
    risk_view: dict[str, Any] = {}
    for field in SERVICE_FIELDS[assignment.service]:
        kind, _, name = field.rpartition(".")
        if kind == "offence":
            offence_view[name] = _plain(getattr(offence, name))
        elif kind == "triage" and name == "explanation":
            # Providers never learn that VAL recognised the victim from another case (docs/data-lifecycle.md).
            triage_view[name] = [line for line in decision.explanation if line["rule"] != REPEAT_VICTIM_RULE]
        elif kind == "triage":
            triage_view[name] = _plain(getattr(decision, name))
        elif kind == "risk":
            risk_view[name] = _plain((decision.risk_input or {}).get(name))
        elif name == "contact":
            victim_view[name] = victim.contact or None  # anonymising empties it
        else:
            victim_view[name] = _plain(getattr(victim, name))
    view["victim"] = victim_view
    for key, part in (("offence", offence_view), ("triage", triage_view), ("risk", risk_view)):
        if part:
            view[key] = part
    view["outcome"] = assignment.outcome
    view["disclosure"] = MARAC_AT_OFFER if assignment.status == "offered" else FULL
    return view


def offer_for_provider(
    assignment: Assignment, case: Case, victim: Victim, decision: TriageDecision
) -> dict[str, Any]:
    """An offer as its provider sees it before accepting: crime type, risk, area, age band, needs, language."""
    risk: dict[str, Any] = {}
    if "risk.cce_level" in SERVICE_FIELDS[assignment.service]:
        risk["cce_level"] = (decision.risk_input or {}).get("cce_level")
    view = summary(assignment, case)
    view["victim"] = {
        "age_band": decision_age_band(decision.age_at_offence),
        "language": victim.language,
        "needs_interpreter": victim.needs_interpreter,
        "vulnerabilities": list(victim.vulnerabilities or ()),
    }
    view["triage"] = {"crime_types": list(decision.crime_types), "risk_level": decision.risk_level}
    if risk:
        view["risk"] = risk
    view["outcome"] = assignment.outcome
    view["disclosure"] = OFFER_STAGE
    return view
