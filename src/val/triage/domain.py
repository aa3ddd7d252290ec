"""The vocabulary of triage: what goes in, what comes out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class CrimeType(StrEnum):
    DOMESTIC_ABUSE = "domestic_abuse"
    SEXUAL_VIOLENCE = "sexual_violence"
    HATE_CRIME = "hate_crime"
    ROAD_TRAFFIC_COLLISION = "road_traffic_collision"
    CHILD_CRIMINAL_EXPLOITATION = "child_criminal_exploitation"
    MODERN_SLAVERY = "modern_slavery"
    HOMICIDE_BEREAVEMENT = "homicide_bereavement"
    STALKING_HARASSMENT = "stalking_harassment"
    OTHER = "other"


class RiskLevel(StrEnum):
    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RISK_ORDER.index(self)


_RISK_ORDER = [RiskLevel.STANDARD, RiskLevel.MEDIUM, RiskLevel.HIGH]


class EnhancedReason(StrEnum):
    MOST_SERIOUS_CRIME = "most_serious_crime"
    PERSISTENTLY_TARGETED = "persistently_targeted"
    VULNERABLE = "vulnerable"
    INTIMIDATED = "intimidated"


class ConsentModel(StrEnum):
    EXPLICIT = "explicit"
    OPT_OUT = "opt_out"


class Consent(StrEnum):
    GIVEN = "given"
    DECLINED = "declined"
    NOT_ASKED = "not_asked"
    OPTED_OUT = "opted_out"


class CaseStatus(StrEnum):
    TRIAGED = "triaged"  # nothing to offer yet
    AWAITING_CONSENT = "awaiting_consent"
    NO_REFERRAL = "no_referral"  # consent declined or opted out
    ROUTED = "routed"  # offered to at least one service
    IN_SUPPORT = "in_support"  # a provider accepted
    CLOSED = "closed"


@dataclass(frozen=True)
class RiskFacts:
    tool: str | None = None
    yes_count: int | None = None
    answers: dict[str, str] | None = None
    assessed_level: RiskLevel | None = None
    professional_judgement_high: bool = False
    incidents_last_12_months: int | None = None
    last_marac_referral_on: dt.date | None = None
    cce_level: str | None = None
    # VAL's own record (docs/data-lifecycle.md): when it last received a MARAC case for the same victim, found by the
    # repeat-victim match. Its reason is for coordinators only (REPEAT_VICTIM_RULE).
    previous_marac_case_on: dt.date | None = None


@dataclass(frozen=True)
class ReferralFacts:
    """The parts of a referral that triage reads (no names, no contact details)."""

    reported_at: dt.datetime
    date_of_birth: dt.date
    occurred_at: dt.datetime | None = None
    home_office_code: str | None = None
    flags: frozenset[str] = frozenset()
    hate_strands: frozenset[str] = frozenset()
    rtc_outcome: str | None = None
    relationship: str = "direct"
    vulnerabilities: frozenset[str] = frozenset()
    persistently_targeted: bool = False
    intimidated: bool = False
    consent: Consent = Consent.NOT_ASKED
    risk: RiskFacts = field(default_factory=RiskFacts)


# The rule of the explanation line that says VAL recognised the victim: providers never see it.
REPEAT_VICTIM_RULE = "risk.repeat_victim"


@dataclass(frozen=True)
class Reason:
    rule: str
    because: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "because": self.because}


@dataclass(frozen=True)
class TriageOutcome:
    crime_types: tuple[CrimeType, ...]
    risk_level: RiskLevel | None
    marac: bool
    enhanced_rights: bool
    enhanced_reasons: tuple[EnhancedReason, ...]
    consent_model: ConsentModel
    referral_permitted: bool
    marac_without_consent: bool
    case_status: CaseStatus
    age_at_offence: int
    rules_version: str
    explanation: tuple[Reason, ...]
