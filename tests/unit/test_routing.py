"""Routing rules of docs/providers.md, one table row per rule, plus provider eligibility and the consent gate."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from val.providers.directory import SERVICES, load_directory
from val.routing.rules import (
    ProviderInfo,
    RoutingFacts,
    RoutingRulesError,
    load_table,
    route,
    table_from_mapping,
)

CONFIG = Path(__file__).parents[2] / "config"
TABLE = load_table(CONFIG / "routing.toml", SERVICES)
AREAS = ("herefordshire", "north_worcestershire", "south_worcestershire", "shropshire", "telford_and_wrekin")
PROVIDERS = [
    ProviderInfo(e.id, e.services, e.policing_areas, e.min_age, e.max_age, e.active, e.capacity)
    for e in load_directory(CONFIG / "providers.toml", AREAS)
]


def facts(**changes) -> RoutingFacts:
    base = RoutingFacts(
        crime_types=("other",),
        risk_level=None,
        age=30,
        policing_area="south_worcestershire",
        relationship="direct",
        rtc_outcome=None,
        children_in_household=0,
        offence_to_report_days=0,
        referral_permitted=True,
        marac_without_consent=False,
    )
    if "crime_types" in changes:
        changes["crime_types"] = tuple(changes["crime_types"])
    return dataclasses.replace(base, **changes)


def routes(**changes) -> list[tuple[str, str | None, str]]:
    return [(r.service, r.provider_id, r.rule) for r in route(TABLE, facts(**changes), PROVIDERS).routes]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"crime_types": ["domestic_abuse"], "risk_level": "high", "age": 16},
            [
                ("idva", "wmwa-idva", "da_high_risk_adult"),
                ("marac", "marac-coordinator", "da_high_risk_adult"),
            ],
            id="DA high risk at 16 goes to IDVA and MARAC",
        ),
        pytest.param(
            {"crime_types": ["domestic_abuse"], "risk_level": "high", "children_in_household": 2},
            [
                ("idva", "wmwa-idva", "da_high_risk_adult"),
                ("marac", "marac-coordinator", "da_high_risk_adult"),
                ("cyp_domestic_abuse", "wmwa-cyp", "da_high_risk_children_in_household"),
            ],
            id="DA high risk with children adds the children's service",
        ),
        pytest.param(
            {"crime_types": ["domestic_abuse"], "risk_level": "medium"},
            [("domestic_abuse_support", "val-da-specialist", "da_standard_or_medium_risk")],
            id="DA medium risk goes to the DA specialist",
        ),
        pytest.param(
            {"crime_types": ["domestic_abuse"], "risk_level": "standard", "children_in_household": 1},
            [("domestic_abuse_support", "val-da-specialist", "da_standard_or_medium_risk")],
            id="DA standard risk goes to the DA specialist",
        ),
        pytest.param(
            {"crime_types": ["domestic_abuse"], "risk_level": "high", "age": 15},
            [("victim_care", "val-core", "da_victim_under_16")],
            id="DA with a victim of 15 is child safeguarding: victim care",
        ),
        pytest.param(
            {"crime_types": ["sexual_violence"], "age": 17, "offence_to_report_days": 30},
            [("chisva", "wmrsasc-chisva", "sexual_violence_child")],
            id="sexual violence at 17 goes to CHISVA",
        ),
        pytest.param(
            {"crime_types": ["sexual_violence"], "age": 18, "offence_to_report_days": 30},
            [("isva", "wmrsasc-isva", "sexual_violence_adult")],
            id="sexual violence at 18 goes to ISVA",
        ),
        pytest.param(
            {
                "crime_types": ["sexual_violence"],
                "age": 30,
                "policing_area": "shropshire",
                "offence_to_report_days": 30,
            },
            [("isva", "axis-isva", "sexual_violence_adult")],
            id="ISVA in Shropshire is AXIS",
        ),
        pytest.param(
            {"crime_types": ["sexual_violence"], "age": 30, "offence_to_report_days": 7},
            [
                ("isva", "wmrsasc-isva", "sexual_violence_adult"),
                ("sarc", "sarc-west-mercia", "sexual_violence_recent"),
            ],
            id="sexual violence within 7 days adds the SARC",
        ),
        pytest.param(
            {"crime_types": ["sexual_violence"], "age": 30, "offence_to_report_days": 8},
            [("isva", "wmrsasc-isva", "sexual_violence_adult")],
            id="8 days after is not recent",
        ),
        pytest.param(
            {"crime_types": ["child_criminal_exploitation"], "age": 11},
            [("climb", "climb-childrens-society", "child_criminal_exploitation")],
            id="CCE at 11 goes to Climb",
        ),
        pytest.param(
            {"crime_types": ["child_criminal_exploitation"], "age": 17},
            [("climb", "climb-childrens-society", "child_criminal_exploitation")],
            id="CCE at 17 goes to Climb",
        ),
        pytest.param(
            {"crime_types": ["child_criminal_exploitation"], "age": 18},
            [("victim_care", "val-core", "default")],
            id="CCE at 18 does not go to Climb",
        ),
        pytest.param(
            {"crime_types": ["child_criminal_exploitation"], "age": 10},
            [("victim_care", "val-core", "default")],
            id="CCE at 10 does not go to Climb",
        ),
        pytest.param(
            {"crime_types": ["hate_crime"], "policing_area": "south_worcestershire"},
            [("hate_crime_advocacy", "halo-south-worcs", "hate_crime")],
            id="hate crime in South Worcestershire goes to HALO",
        ),
        pytest.param(
            {"crime_types": ["hate_crime"], "policing_area": "shropshire"},
            [("victim_care", "val-core", "hate_crime")],
            id="hate crime in Shropshire goes to victim care",
        ),
        pytest.param(
            {
                "crime_types": ["road_traffic_collision"],
                "relationship": "bereaved_relative",
                "rtc_outcome": "fatal",
            },
            [("road_victim_support", "brake-nrvs", "road_death_bereaved")],
            id="bereaved by a road death",
        ),
        pytest.param(
            {"crime_types": ["road_traffic_collision"], "rtc_outcome": "serious_injury"},
            [("road_victim_support", "brake-nrvs", "road_collision_serious_injury")],
            id="seriously injured in a collision",
        ),
        pytest.param(
            {"crime_types": ["road_traffic_collision"], "rtc_outcome": "slight_injury"},
            [("victim_care", "val-core", "default")],
            id="a slight injury goes to victim care",
        ),
        pytest.param(
            {"crime_types": ["homicide_bereavement"], "relationship": "bereaved_relative"},
            [("homicide_bereavement", "national-homicide-service", "homicide_bereaved")],
            id="bereaved by homicide",
        ),
        pytest.param(
            {"crime_types": ["modern_slavery"]},
            [("modern_slavery_support", "msht-emergency", "modern_slavery")],
            id="modern slavery",
        ),
        pytest.param(
            {"crime_types": ["other"]},
            [("victim_care", "val-core", "default")],
            id="nothing matched: victim care",
        ),
    ],
)
def test_routing_rules(changes, expected):
    assert routes(**changes) == expected


def test_no_eligible_provider_leaves_an_unassigned_route_never_a_silent_drop():
    without_idva = [p for p in PROVIDERS if p.id != "wmwa-idva"]
    decision = route(TABLE, facts(crime_types=("domestic_abuse",), risk_level="high"), without_idva)
    assert [(r.service, r.provider_id) for r in decision.routes] == [
        ("idva", None),
        ("marac", "marac-coordinator"),
    ]


def test_a_provider_at_capacity_is_passed_over():
    full = [
        dataclasses.replace(p, capacity=3, open_assignments=3) if p.id == "wmrsasc-chisva" else p
        for p in PROVIDERS
    ]
    decision = route(TABLE, facts(crime_types=("sexual_violence",), age=12, offence_to_report_days=30), full)
    assert [(r.service, r.provider_id) for r in decision.routes] == [("chisva", None)]


def test_axis_takes_children_from_five_in_its_areas_after_the_first_choice():
    no_wmrsasc = [p for p in PROVIDERS if p.id != "wmrsasc-chisva"]
    for age, expected in ((5, "axis-isva"), (4, None)):
        decision = route(
            TABLE,
            facts(
                crime_types=("sexual_violence",),
                age=age,
                policing_area="telford_and_wrekin",
                offence_to_report_days=30,
            ),
            no_wmrsasc,
        )
        assert decision.routes[0].provider_id == expected


@pytest.mark.parametrize(
    ("marac_without_consent", "expected"), [(True, [("marac", "marac-coordinator")]), (False, [])]
)
def test_without_consent_only_marac_is_told_of_high_risk_domestic_abuse(marac_without_consent, expected):
    decision = route(
        TABLE,
        facts(
            crime_types=("domestic_abuse",),
            risk_level="high",
            children_in_household=1,
            referral_permitted=False,
            marac_without_consent=marac_without_consent,
        ),
        PROVIDERS,
    )
    assert [(r.service, r.provider_id) for r in decision.routes] == expected
    assert "idva" in decision.held_for_consent and "cyp_domestic_abuse" in decision.held_for_consent


def test_a_broken_routing_table_is_refused_naming_the_rule():
    with pytest.raises(RoutingRulesError, match="nope"):
        table_from_mapping(
            {"default_service": "victim_care", "rule": [{"name": "x", "services": ["nope"]}]}, SERVICES
        )
    with pytest.raises(RoutingRulesError, match="colour"):
        table_from_mapping(
            {
                "default_service": "victim_care",
                "rule": [{"name": "x", "services": ["isva"], "colour": "red"}],
            },
            SERVICES,
        )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "x", "name": "X", "services": ["counselling"], "policing_areas": "all"}, "counselling"),
        ({"id": "x", "name": "X", "services": ["isva"], "policing_areas": ["mars"]}, "mars"),
        (
            {
                "id": "x",
                "name": "X",
                "services": ["isva"],
                "policing_areas": "all",
                "min_age": 18,
                "max_age": 10,
            },
            "min_age",
        ),
        ({"id": "x", "name": "X", "services": ["isva"]}, "policing_areas"),
        ({"id": "x", "name": "X", "services": ["isva"], "policing_areas": "all", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_directory_entry_is_refused_by_name(tmp_path, entry, message):
    from val.providers.directory import DirectoryError

    path = tmp_path / "providers.toml"
    _write(path, entry)
    with pytest.raises(DirectoryError, match=message) as raised:
        load_directory(path, AREAS)
    assert "provider #1 (x)" in str(raised.value)


def _write(path, entry) -> None:
    lines = ["[[provider]]"]
    for key, value in entry.items():
        if isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        elif isinstance(value, list):
            lines.append(f"{key} = [" + ", ".join(f'"{v}"' for v in value) + "]")
        else:
            lines.append(f"{key} = {value}")
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("declined", "provider", "said"),
    [
        ({}, "wmrsasc-chisva", None),
        ({"chisva": frozenset({"wmrsasc-chisva"})}, None, "not wmrsasc-chisva, which declined it before"),
        ({"isva": frozenset({"wmrsasc-chisva"})}, "wmrsasc-chisva", None),  # declined another service
    ],
)
def test_a_provider_that_declined_the_case_is_never_offered_it_again(declined, provider, said):
    decision = route(
        TABLE, facts(crime_types=("sexual_violence",), age=12, offence_to_report_days=30), PROVIDERS, declined
    )
    chisva = decision.routes[0]
    assert (chisva.service, chisva.provider_id) == ("chisva", provider)
    assert (said in chisva.because) if said else "declined" not in chisva.because
