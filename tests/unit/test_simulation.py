"""The routing what-if without I/O: the same `route` intake uses, replayed under two setups."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from val.commissioning.replay import infos_of
from val.commissioning.simulation import ReplayedCase, Setup, simulate
from val.providers.directory import SERVICES, load_directory
from val.routing.rules import RoutingFacts, load_table
from val.settings import load_settings

SETTINGS = load_settings(environ={})
CONFIG = SETTINGS.config_dir
TABLE = load_table(CONFIG / "routing.toml", SERVICES)
ENTRIES = load_directory(CONFIG / "providers.toml", SETTINGS.policing_areas)
TODAY = Setup(TABLE, infos_of(ENTRIES))
CRIME_TYPES = (
    "domestic_abuse",
    "sexual_violence",
    "hate_crime",
    "road_traffic_collision",
    "child_criminal_exploitation",
    "modern_slavery",
    "homicide_bereavement",
    "stalking_harassment",
    "other",
)

facts = st.builds(
    RoutingFacts,
    crime_types=st.lists(st.sampled_from(CRIME_TYPES), min_size=1, max_size=3, unique=True).map(tuple),
    risk_level=st.sampled_from([None, "standard", "medium", "high"]),
    age=st.integers(min_value=0, max_value=99),
    policing_area=st.sampled_from(SETTINGS.policing_areas),
    relationship=st.sampled_from(["direct", "bereaved_relative", "parent_of_child_victim"]),
    rtc_outcome=st.sampled_from([None, "fatal", "serious_injury", "slight_injury"]),
    children_in_household=st.integers(min_value=0, max_value=5),
    offence_to_report_days=st.one_of(st.none(), st.integers(min_value=0, max_value=4000)),
    referral_permitted=st.booleans(),
    marac_without_consent=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(facts, max_size=30))
def test_simulating_todays_own_rules_changes_nothing(cases):
    replayed = [ReplayedCase(c.crime_types[0], c) for c in cases]
    result = simulate(replayed, TODAY, TODAY).as_dict()
    assert result["changed_cases"] == 0
    assert all(o["difference"] == 0 for o in result["offers"])
    assert result["cases"] == len(cases)


def _hate_crime(area: str) -> ReplayedCase:
    return ReplayedCase(
        "hate_crime",
        RoutingFacts(("hate_crime",), None, 30, area, "direct", None, 0, 1, True, False),
    )


def test_halo_covering_all_of_west_mercia_moves_the_hate_crime_referrals_elsewhere_to_halo():
    halo_everywhere = tuple(
        replace(p, policing_areas=SETTINGS.policing_areas) if p.id == "halo-south-worcs" else p
        for p in TODAY.providers
    )
    cases = [_hate_crime("herefordshire")] * 3 + [_hate_crime("south_worcestershire")] * 2
    offers = {
        (o["service"], o["provider"]): (o["today"], o["proposed"], o["difference"])
        for o in simulate(cases, TODAY, Setup(TABLE, halo_everywhere)).as_dict()["offers"]
    }
    assert offers == {
        ("hate_crime_advocacy", "halo-south-worcs"): (2, 5, 3),
        ("victim_care", "val-core"): (3, 0, -3),
    }


def test_a_proposed_routing_table_is_replayed_too(tmp_path: Path):
    proposed = tmp_path / "routing.toml"
    proposed.write_text((CONFIG / "routing.toml").read_text().replace('fallback_service = "victim_care"', ""))
    table = load_table(proposed, SERVICES)
    result = simulate([_hate_crime("herefordshire")], TODAY, Setup(table, TODAY.providers)).as_dict()
    offers = {(o["service"], o["provider"]): o["difference"] for o in result["offers"]}
    assert offers[("victim_care", "val-core")] == -1
    assert offers[("hate_crime_advocacy", "(unassigned)")] == 1
    assert result["changed_cases_by_crime_type"] == {"hate_crime": 1}
