"""Triage rules of docs/domain.md, as pure functions over a referral's facts.

Each function returns its verdict together with the reasons that produced it, so the stored decision can
say which rule fired and why.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from val.triage.domain import (
    REPEAT_VICTIM_RULE,
    CaseStatus,
    Consent,
    ConsentModel,
    CrimeType,
    EnhancedReason,
    Reason,
    ReferralFacts,
    RiskFacts,
    RiskLevel,
    TriageOutcome,
)
from val.triage.rulebook import TriageRules

LONDON = ZoneInfo("Europe/London")


def london_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(LONDON).date()


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later; the 29th–31st fall back to the month's last day (29 Feb → 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def offence_date(facts: ReferralFacts) -> dt.date:
    """The date the offence happened in London, else the date it was reported (docs/domain.md)."""
    return london_date(facts.occurred_at or facts.reported_at)


def classify_crime(facts: ReferralFacts, rules: TriageRules) -> tuple[list[CrimeType], list[Reason]]:
    code, flags = facts.home_office_code, facts.flags
    found: list[CrimeType] = []
    reasons: list[Reason] = []

    def add(kind: CrimeType, because: str) -> None:
        if kind not in found:
            found.append(kind)
            reasons.append(Reason(f"crime_type.{kind}", because))

    if "domestic_abuse" in flags:
        add(CrimeType.DOMESTIC_ABUSE, "flagged as domestic abuse")
    if "sexual_offence" in flags:
        add(CrimeType.SEXUAL_VIOLENCE, "flagged as a sexual offence")
    elif rules.code_in("sexual_offences", code):
        add(CrimeType.SEXUAL_VIOLENCE, f"Home Office code {code} is a sexual offence")
    if facts.hate_strands:
        add(CrimeType.HATE_CRIME, "hate strands: " + ", ".join(sorted(facts.hate_strands)))
    elif rules.code_in("racially_or_religiously_aggravated", code):
        add(CrimeType.HATE_CRIME, f"Home Office code {code} is racially or religiously aggravated")
    if "road_traffic_collision" in flags:
        add(CrimeType.ROAD_TRAFFIC_COLLISION, "flagged as a road traffic collision")
    elif facts.rtc_outcome:
        add(CrimeType.ROAD_TRAFFIC_COLLISION, f"collision outcome recorded: {facts.rtc_outcome}")
    elif rules.code_in("road_deaths", code):
        add(CrimeType.ROAD_TRAFFIC_COLLISION, f"Home Office code {code} is a road death")
    if "child_criminal_exploitation" in flags:
        add(CrimeType.CHILD_CRIMINAL_EXPLOITATION, "flagged as child criminal exploitation")
    if "modern_slavery" in flags:
        add(CrimeType.MODERN_SLAVERY, "flagged as modern slavery")
    elif rules.code_in("modern_slavery", code):
        add(CrimeType.MODERN_SLAVERY, f"Home Office code {code} is modern slavery")
    if facts.relationship == "bereaved_relative" and rules.code_in("homicide_bereavement", code):
        add(CrimeType.HOMICIDE_BEREAVEMENT, f"bereaved relative; Home Office code {code} is homicide")
    if "stalking" in flags:
        add(CrimeType.STALKING_HARASSMENT, "flagged as stalking")
    elif rules.code_in("stalking_harassment", code):
        add(CrimeType.STALKING_HARASSMENT, f"Home Office code {code} is stalking or harassment")
    if not found:
        add(CrimeType.OTHER, "no specialist crime type applies")
    return found, reasons


def dash_yes_count(risk: RiskFacts) -> int | None:
    """`answers`, when given, is authoritative (docs/domain.md); else the referrer's count."""
    if risk.answers is not None:
        return sum(1 for answer in risk.answers.values() if answer == "yes")
    return risk.yes_count


def _repeat_victim_reason(risk: RiskFacts, incident_on: dt.date, rules: TriageRules) -> Reason | None:
    """A MARAC case VAL already holds for this victim, received within the repeat window before the incident."""
    previous = risk.previous_marac_case_on
    if previous is None or not previous <= incident_on <= add_months(previous, rules.marac_repeat_months):
        return None
    return Reason(
        REPEAT_VICTIM_RULE,
        f"repeat victim: VAL received a MARAC case for this victim on {previous.isoformat()}, within "
        f"{rules.marac_repeat_months} months (MARAC repeat criterion)",
    )


def assess_domestic_abuse_risk(
    risk: RiskFacts, incident_on: dt.date, rules: TriageRules
) -> tuple[RiskLevel, list[Reason]]:
    """SafeLives DASH and the MARAC referral criteria; a referrer's level raises, never lowers."""
    reasons: list[Reason] = []
    yes = dash_yes_count(risk)
    high_because: list[str] = []
    if yes is not None and yes >= rules.high_yes_count:
        high_because.append(f"visible high risk: {yes} DASH yes answers (threshold {rules.high_yes_count})")
    if risk.professional_judgement_high:
        high_because.append("professional judgement: high risk")
    if (
        risk.incidents_last_12_months is not None
        and risk.incidents_last_12_months >= rules.escalation_incidents
    ):
        high_because.append(
            f"potential escalation: {risk.incidents_last_12_months} incidents in 12 months "
            f"(threshold {rules.escalation_incidents})"
        )
    if risk.last_marac_referral_on is not None:
        repeat_until = add_months(risk.last_marac_referral_on, rules.marac_repeat_months)
        if risk.last_marac_referral_on <= incident_on <= repeat_until:
            high_because.append(
                f"repeat incident within {rules.marac_repeat_months} months of the last MARAC referral"
            )

    repeat_victim = _repeat_victim_reason(risk, incident_on, rules)
    if high_because or repeat_victim:
        level = RiskLevel.HIGH
        reasons.extend(Reason("risk.high", because) for because in high_because)
        if repeat_victim:
            reasons.append(repeat_victim)
    elif yes is not None and yes >= rules.medium_yes_count:
        level = RiskLevel.MEDIUM
        reasons.append(
            Reason(
                "risk.medium",
                f"{yes} DASH yes answers (band {rules.medium_yes_count}–{rules.high_yes_count - 1})",
            )
        )
    else:
        level = RiskLevel.STANDARD
        counted = "no DASH count given" if yes is None else f"{yes} DASH yes answers"
        reasons.append(Reason("risk.standard", f"no high or medium criterion met ({counted})"))

    if risk.assessed_level is not None and risk.assessed_level.rank > level.rank:
        reasons.append(
            Reason("risk.assessed_level", f"referrer assessed {risk.assessed_level}, raising it from {level}")
        )
        level = risk.assessed_level
    return level, reasons


def bereaved_by_criminal_death(facts: ReferralFacts, rules: TriageRules) -> bool:
    if facts.relationship != "bereaved_relative":
        return False
    code = facts.home_office_code
    return (
        rules.code_in("homicide", code) or rules.code_in("road_deaths", code) or facts.rtc_outcome == "fatal"
    )


def enhanced_rights(
    facts: ReferralFacts, crime_types: list[CrimeType], age: int, rules: TriageRules
) -> tuple[list[EnhancedReason], list[Reason]]:
    code = facts.home_office_code
    serious: list[str] = []
    for kind in (
        CrimeType.DOMESTIC_ABUSE,
        CrimeType.SEXUAL_VIOLENCE,
        CrimeType.HATE_CRIME,
        CrimeType.MODERN_SLAVERY,
    ):
        if kind in crime_types:
            serious.append(str(kind).replace("_", " "))
    if "terrorism" in facts.flags:
        serious.append("terrorism")
    for group, label in (
        ("attempted_murder", "attempted murder"),
        ("kidnapping", "kidnap or false imprisonment"),
        ("arson_endangering_life", "arson with intent to endanger life"),
        ("wounding_with_intent", "wounding or GBH with intent"),
    ):
        if rules.code_in(group, code):
            serious.append(label)
    if bereaved_by_criminal_death(facts, rules):
        serious.append("bereaved close relative of someone killed by criminal conduct")

    groups: list[EnhancedReason] = []
    reasons: list[Reason] = []

    def grant(group: EnhancedReason, because: list[str]) -> None:
        if because:
            groups.append(group)
            reasons.append(Reason(f"enhanced.{group}", "; ".join(because)))

    grant(EnhancedReason.MOST_SERIOUS_CRIME, serious)
    grant(
        EnhancedReason.PERSISTENTLY_TARGETED,
        (["flagged as persistently targeted"] if facts.persistently_targeted else [])
        + (["stalking or harassment"] if CrimeType.STALKING_HARASSMENT in crime_types else []),
    )
    grant(
        EnhancedReason.VULNERABLE,
        (
            [f"aged {age} at the time of the offence (under {rules.adult_age})"]
            if age < rules.adult_age
            else []
        )
        + ([f"vulnerabilities: {', '.join(sorted(facts.vulnerabilities))}"] if facts.vulnerabilities else []),
    )
    grant(
        EnhancedReason.INTIMIDATED,
        (["flagged as intimidated"] if facts.intimidated else [])
        + (["sexual offence"] if CrimeType.SEXUAL_VIOLENCE in crime_types else [])
        + (["trafficking or modern slavery"] if CrimeType.MODERN_SLAVERY in crime_types else []),
    )
    return groups, reasons


def consent_model(facts: ReferralFacts, crime_types: list[CrimeType], rules: TriageRules) -> ConsentModel:
    if any(str(kind) in rules.explicit_consent_crime_types for kind in crime_types):
        return ConsentModel.EXPLICIT
    if rules.explicit_consent_for_bereaved and facts.relationship == "bereaved_relative":
        return ConsentModel.EXPLICIT
    return ConsentModel.OPT_OUT


def consent_decision(model: ConsentModel, consent: Consent) -> tuple[bool, CaseStatus, Reason]:
    if consent in (Consent.DECLINED, Consent.OPTED_OUT):
        return False, CaseStatus.NO_REFERRAL, Reason("consent.refused", f"support referral {consent}")
    if model is ConsentModel.EXPLICIT and consent is not Consent.GIVEN:
        return (
            False,
            CaseStatus.AWAITING_CONSENT,
            Reason("consent.awaiting", "explicit consent needed and not yet given"),
        )
    because = (
        "explicit consent given" if model is ConsentModel.EXPLICIT else f"opt-out model, consent {consent}"
    )
    return True, CaseStatus.TRIAGED, Reason("consent.permitted", because)


def triage(facts: ReferralFacts, rules: TriageRules) -> TriageOutcome:
    incident_on = offence_date(facts)
    age = age_on(facts.date_of_birth, incident_on)
    crime_types, explanation = classify_crime(facts, rules)

    risk_level: RiskLevel | None = None
    if CrimeType.DOMESTIC_ABUSE in crime_types:
        risk_level, risk_reasons = assess_domestic_abuse_risk(facts.risk, incident_on, rules)
        explanation.extend(risk_reasons)
    marac = risk_level is RiskLevel.HIGH
    if marac:
        explanation.append(Reason("marac", "high-risk domestic abuse is referred to MARAC"))

    groups, enhanced_reasons = enhanced_rights(facts, crime_types, age, rules)
    explanation.extend(enhanced_reasons)

    model = consent_model(facts, crime_types, rules)
    permitted, status, consent_reason = consent_decision(model, facts.consent)
    explanation.append(consent_reason)
    marac_without_consent = marac and not permitted and rules.marac_without_consent
    if marac_without_consent:
        explanation.append(
            Reason("consent.safeguarding", "high-risk domestic abuse is shared with MARAC without consent")
        )

    return TriageOutcome(
        crime_types=tuple(crime_types),
        risk_level=risk_level,
        marac=marac,
        enhanced_rights=bool(groups),
        enhanced_reasons=tuple(groups),
        consent_model=model,
        referral_permitted=permitted,
        marac_without_consent=marac_without_consent,
        case_status=status,
        age_at_offence=age,
        rules_version=rules.version,
        explanation=tuple(explanation),
    )
