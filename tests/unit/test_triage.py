"""Triage rules of docs/domain.md, as tables that read like the guidance."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from val.triage import ReferralFacts, RiskFacts, load_rules, triage
from val.triage.domain import CaseStatus, Consent, ConsentModel, RiskLevel
from val.triage.rulebook import RulebookError, rules_from_mapping
from val.triage.rules import add_months, age_on, assess_domestic_abuse_risk, london_date

RULES = load_rules(Path(__file__).parents[2] / "config" / "triage.toml")
REPORTED = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
ADULT_DOB = dt.date(1990, 5, 5)


def facts(**changes) -> ReferralFacts:
    base = ReferralFacts(reported_at=REPORTED, date_of_birth=ADULT_DOB, consent=Consent.GIVEN)
    for key in ("flags", "hate_strands", "vulnerabilities"):
        if key in changes:
            changes[key] = frozenset(changes[key])
    return dataclasses.replace(base, **changes)


# --- crime types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"flags": ["domestic_abuse"]}, ["domestic_abuse"]),
        ({"flags": ["sexual_offence"]}, ["sexual_violence"]),
        ({"home_office_code": "17A"}, ["sexual_violence"]),
        ({"home_office_code": "19e"}, ["sexual_violence"]),
        ({"home_office_code": "88E"}, ["sexual_violence"]),
        ({"home_office_code": "88B"}, ["other"]),
        ({"hate_strands": ["disability"]}, ["hate_crime"]),
        ({"home_office_code": "8P"}, ["hate_crime"]),
        ({"home_office_code": "105B"}, ["hate_crime"]),
        ({"flags": ["road_traffic_collision"]}, ["road_traffic_collision"]),
        ({"rtc_outcome": "serious_injury"}, ["road_traffic_collision"]),
        ({"home_office_code": "4.4"}, ["road_traffic_collision"]),
        ({"home_office_code": "37.1"}, ["road_traffic_collision"]),
        ({"flags": ["child_criminal_exploitation"]}, ["child_criminal_exploitation"]),
        ({"flags": ["modern_slavery"]}, ["modern_slavery"]),
        ({"home_office_code": "106"}, ["modern_slavery"]),
        ({"home_office_code": "1", "relationship": "bereaved_relative"}, ["homicide_bereavement"]),
        ({"home_office_code": "4.2", "relationship": "bereaved_relative"}, ["homicide_bereavement"]),
        ({"home_office_code": "1", "relationship": "direct"}, ["other"]),
        ({"flags": ["stalking"]}, ["stalking_harassment"]),
        ({"home_office_code": "8L"}, ["stalking_harassment"]),
        ({"home_office_code": "8Q"}, ["stalking_harassment"]),
        ({"home_office_code": "8N"}, ["other"]),
        ({"flags": ["terrorism"]}, ["other"]),
        (
            {"flags": ["domestic_abuse", "sexual_offence"], "hate_strands": ["race"]},
            ["domestic_abuse", "sexual_violence", "hate_crime"],
        ),
    ],
)
def test_crime_types_come_from_flags_strands_and_home_office_codes(changes, expected):
    assert [str(t) for t in triage(facts(**changes), RULES).crime_types] == expected


# --- domestic abuse risk --------------------------------------------------------------------------------

INCIDENT = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("risk", "expected"),
    [
        (RiskFacts(yes_count=13), RiskLevel.MEDIUM),
        (RiskFacts(yes_count=14), RiskLevel.HIGH),
        (RiskFacts(yes_count=24), RiskLevel.HIGH),
        (RiskFacts(yes_count=10), RiskLevel.MEDIUM),
        (RiskFacts(yes_count=9), RiskLevel.STANDARD),
        (RiskFacts(yes_count=0), RiskLevel.STANDARD),
        (RiskFacts(), RiskLevel.STANDARD),
        (RiskFacts(yes_count=2, professional_judgement_high=True), RiskLevel.HIGH),
        (RiskFacts(yes_count=2, incidents_last_12_months=2), RiskLevel.STANDARD),
        (RiskFacts(yes_count=2, incidents_last_12_months=3), RiskLevel.HIGH),
        (RiskFacts(yes_count=2, last_marac_referral_on=dt.date(2025, 3, 10)), RiskLevel.HIGH),
        (RiskFacts(yes_count=2, last_marac_referral_on=dt.date(2025, 3, 11)), RiskLevel.HIGH),
        (RiskFacts(yes_count=2, last_marac_referral_on=dt.date(2025, 3, 9)), RiskLevel.STANDARD),
        (RiskFacts(yes_count=2, assessed_level=RiskLevel.HIGH), RiskLevel.HIGH),
        (RiskFacts(yes_count=2, assessed_level=RiskLevel.MEDIUM), RiskLevel.MEDIUM),
        (RiskFacts(yes_count=15, assessed_level=RiskLevel.STANDARD), RiskLevel.HIGH),
        (RiskFacts(yes_count=11, assessed_level=RiskLevel.STANDARD), RiskLevel.MEDIUM),
        (RiskFacts(yes_count=0, answers={str(n): "yes" for n in range(1, 15)}), RiskLevel.HIGH),
        (RiskFacts(yes_count=20, answers={str(n): "yes" for n in range(1, 14)}), RiskLevel.MEDIUM),
        (RiskFacts(answers={**{str(n): "yes" for n in range(1, 14)}, "14": "unknown"}), RiskLevel.MEDIUM),
    ],
    ids=[
        "13 yes is medium",
        "14 yes is high",
        "24 yes is high",
        "10 yes is medium",
        "9 yes is standard",
        "0 yes is standard",
        "no DASH is standard",
        "professional judgement is high",
        "2 incidents in 12 months is not escalation",
        "3 incidents in 12 months is escalation",
        "repeat exactly 12 months after MARAC is high",
        "repeat 12 months less a day after MARAC is high",
        "repeat 12 months and a day after MARAC is not a repeat",
        "assessed high raises standard",
        "assessed medium raises standard",
        "assessed standard never lowers high",
        "assessed standard never lowers medium",
        "answers override a lower yes_count",
        "answers override a higher yes_count",
        "unknown answers do not count as yes",
    ],
)
def test_dash_risk_level(risk, expected):
    level, reasons = assess_domestic_abuse_risk(risk, INCIDENT, RULES)
    assert level is expected
    assert reasons, "every level is explained"


def test_dash_score_of_14_is_high_risk_and_goes_to_marac():
    outcome = triage(facts(flags=["domestic_abuse"], risk=RiskFacts(yes_count=14)), RULES)
    assert (outcome.risk_level, outcome.marac) == (RiskLevel.HIGH, True)


def test_dash_score_of_13_is_medium_risk_and_not_marac():
    outcome = triage(facts(flags=["domestic_abuse"], risk=RiskFacts(yes_count=13)), RULES)
    assert (outcome.risk_level, outcome.marac) == (RiskLevel.MEDIUM, False)


def test_a_referrers_high_assessment_makes_the_case_marac():
    outcome = triage(facts(flags=["domestic_abuse"], risk=RiskFacts(assessed_level=RiskLevel.HIGH)), RULES)
    assert outcome.marac


def test_no_risk_level_is_given_without_domestic_abuse():
    outcome = triage(facts(flags=["stalking"], risk=RiskFacts(yes_count=20)), RULES)
    assert (outcome.risk_level, outcome.marac) == (None, False)


def test_marac_repeat_uses_the_offence_date_not_the_report_date():
    late_report = facts(
        flags=["domestic_abuse"],
        occurred_at=dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC),
        reported_at=dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC),
        risk=RiskFacts(last_marac_referral_on=dt.date(2025, 1, 20)),
    )
    assert triage(late_report, RULES).marac


# --- enhanced rights -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"flags": ["domestic_abuse"]}, ["most_serious_crime"]),
        ({"flags": ["sexual_offence"]}, ["most_serious_crime", "intimidated"]),
        ({"hate_strands": ["religion"]}, ["most_serious_crime"]),
        ({"flags": ["terrorism"]}, ["most_serious_crime"]),
        ({"flags": ["modern_slavery"]}, ["most_serious_crime", "intimidated"]),
        ({"home_office_code": "2"}, ["most_serious_crime"]),
        ({"home_office_code": "36"}, ["most_serious_crime"]),
        ({"home_office_code": "56A"}, ["most_serious_crime"]),
        ({"home_office_code": "5D"}, ["most_serious_crime"]),
        ({"home_office_code": "1", "relationship": "bereaved_relative"}, ["most_serious_crime"]),
        ({"home_office_code": "4.10", "relationship": "bereaved_relative"}, ["most_serious_crime"]),
        ({"home_office_code": "4.4", "relationship": "bereaved_relative"}, ["most_serious_crime"]),
        ({"rtc_outcome": "fatal", "relationship": "bereaved_relative"}, ["most_serious_crime"]),
        ({"rtc_outcome": "serious_injury"}, []),
        ({"persistently_targeted": True}, ["persistently_targeted"]),
        ({"flags": ["stalking"]}, ["persistently_targeted"]),
        ({"vulnerabilities": ["learning_disability"]}, ["vulnerable"]),
        ({"intimidated": True}, ["intimidated"]),
        ({"home_office_code": "8N"}, []),
        ({"flags": ["honour_based_abuse"]}, []),
    ],
)
def test_enhanced_rights_groups(changes, reasons):
    outcome = triage(facts(**changes), RULES)
    assert [str(r) for r in outcome.enhanced_reasons] == reasons
    assert outcome.enhanced_rights is bool(reasons)


@pytest.mark.parametrize(
    ("date_of_birth", "vulnerable"),
    [
        (dt.date(2011, 3, 10), True),  # 15
        (dt.date(2010, 3, 11), True),  # 16 tomorrow: 15
        (dt.date(2010, 3, 10), True),  # 16 today
        (dt.date(2009, 3, 10), True),  # 17 today
        (dt.date(2008, 3, 11), True),  # 18 tomorrow: still 17
        (dt.date(2008, 3, 10), False),  # 18 today
        (dt.date(2008, 3, 9), False),  # 18 yesterday
    ],
)
def test_under_18_at_the_offence_is_vulnerable(date_of_birth, vulnerable):
    outcome = triage(facts(date_of_birth=date_of_birth), RULES)
    assert ("vulnerable" in outcome.enhanced_reasons) is vulnerable


def test_age_is_taken_at_the_offence_not_at_the_report():
    # 17 when it happened in 2025, 18 by the time it was reported.
    outcome = triage(
        facts(date_of_birth=dt.date(2008, 1, 1), occurred_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC)), RULES
    )
    assert outcome.age_at_offence == 17
    assert "vulnerable" in outcome.enhanced_reasons


def test_the_offence_date_is_the_london_date():
    # 23:30 UTC on 9 July is 00:30 on 10 July in London: the victim turned 18 that London day.
    summer_night = dt.datetime(2026, 7, 9, 23, 30, tzinfo=dt.UTC)
    assert london_date(summer_night) == dt.date(2026, 7, 10)
    outcome = triage(
        facts(date_of_birth=dt.date(2008, 7, 10), occurred_at=summer_night, reported_at=summer_night), RULES
    )
    assert outcome.age_at_offence == 18


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [(dt.date(2000, 2, 29), dt.date(2018, 2, 28), 17), (dt.date(2000, 2, 29), dt.date(2018, 3, 1), 18)],
)
def test_a_leap_day_birthday_counts_from_1_march_in_other_years(born, on, age):
    assert age_on(born, on) == age


def test_adding_12_months_to_a_leap_day_lands_on_28_february():
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


# --- consent --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "consent", "model", "permitted", "status"),
    [
        ({"flags": ["domestic_abuse"]}, Consent.GIVEN, ConsentModel.EXPLICIT, True, CaseStatus.TRIAGED),
        (
            {"flags": ["domestic_abuse"]},
            Consent.NOT_ASKED,
            ConsentModel.EXPLICIT,
            False,
            CaseStatus.AWAITING_CONSENT,
        ),
        (
            {"flags": ["sexual_offence"]},
            Consent.DECLINED,
            ConsentModel.EXPLICIT,
            False,
            CaseStatus.NO_REFERRAL,
        ),
        (
            {"home_office_code": "19C"},
            Consent.NOT_ASKED,
            ConsentModel.EXPLICIT,
            False,
            CaseStatus.AWAITING_CONSENT,
        ),
        (
            {"relationship": "bereaved_relative", "home_office_code": "4.4"},
            Consent.NOT_ASKED,
            ConsentModel.EXPLICIT,
            False,
            CaseStatus.AWAITING_CONSENT,
        ),
        ({"home_office_code": "8N"}, Consent.NOT_ASKED, ConsentModel.OPT_OUT, True, CaseStatus.TRIAGED),
        ({"hate_strands": ["race"]}, Consent.GIVEN, ConsentModel.OPT_OUT, True, CaseStatus.TRIAGED),
        ({"home_office_code": "8N"}, Consent.OPTED_OUT, ConsentModel.OPT_OUT, False, CaseStatus.NO_REFERRAL),
        ({"home_office_code": "8N"}, Consent.DECLINED, ConsentModel.OPT_OUT, False, CaseStatus.NO_REFERRAL),
    ],
)
def test_consent_model_decides_whether_a_provider_may_be_told(changes, consent, model, permitted, status):
    outcome = triage(facts(consent=consent, **changes), RULES)
    assert (outcome.consent_model, outcome.referral_permitted, outcome.case_status) == (
        model,
        permitted,
        status,
    )


def test_high_risk_domestic_abuse_goes_to_marac_without_consent():
    outcome = triage(
        facts(flags=["domestic_abuse"], consent=Consent.DECLINED, risk=RiskFacts(yes_count=16)), RULES
    )
    assert outcome.marac_without_consent and not outcome.referral_permitted
    assert any(r.rule == "consent.safeguarding" for r in outcome.explanation)


def test_the_marac_safeguarding_exception_can_be_switched_off():
    raw = _raw_rules()
    raw["consent"]["marac_without_consent"] = False
    rules = rules_from_mapping(raw)
    outcome = triage(
        facts(flags=["domestic_abuse"], consent=Consent.DECLINED, risk=RiskFacts(yes_count=16)), rules
    )
    assert not outcome.marac_without_consent


# --- configuration and explanation ---------------------------------------------------------------------


def _raw_rules() -> dict:
    import tomllib

    return tomllib.loads((Path(__file__).parents[2] / "config" / "triage.toml").read_text())


def test_thresholds_come_from_configuration():
    raw = _raw_rules()
    raw["dash"]["high_yes_count"] = 12
    raw["dash"]["medium_yes_count"] = 8
    rules = rules_from_mapping(raw)
    outcome = triage(facts(flags=["domestic_abuse"], risk=RiskFacts(yes_count=12)), rules)
    assert outcome.risk_level is RiskLevel.HIGH
    assert rules.version != RULES.version, "a changed rule set has a new rules_version"


def test_an_incoherent_rulebook_is_refused():
    raw = _raw_rules()
    raw["dash"]["medium_yes_count"] = 20
    with pytest.raises(RulebookError):
        rules_from_mapping(raw)


def test_the_decision_records_the_rules_version_and_why():
    outcome = triage(facts(flags=["domestic_abuse"], risk=RiskFacts(yes_count=15)), RULES)
    assert outcome.rules_version == RULES.version and outcome.rules_version.startswith("sha256:")
    fired = {r.rule for r in outcome.explanation}
    assert {
        "crime_type.domestic_abuse",
        "risk.high",
        "marac",
        "enhanced.most_serious_crime",
        "consent.permitted",
    } <= fired
    assert all(r.because for r in outcome.explanation)


def test_the_domain_example_is_high_risk_marac_with_enhanced_rights():
    outcome = triage(
        ReferralFacts(
            reported_at=dt.datetime(2025, 11, 14, 14, tzinfo=dt.UTC),
            date_of_birth=dt.date(1992, 3, 1),
            occurred_at=dt.datetime(2025, 11, 14, 12, 30, tzinfo=dt.UTC),
            home_office_code="8N",
            flags=frozenset({"domestic_abuse"}),
            consent=Consent.GIVEN,
            risk=RiskFacts(tool="dash_ric_24", yes_count=15, incidents_last_12_months=1),
        ),
        RULES,
    )
    assert (outcome.risk_level, outcome.marac, outcome.enhanced_rights) == (RiskLevel.HIGH, True, True)
