"""Fictional referrals in the proportions a police area sends them: the bodies are the intake contract's JSON,
before validation."""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

from val.referrals.schemas import REFERRAL_EXAMPLE

# Every sample starts from the contract's own example (a fictional victim).
TEMPLATE: dict[str, Any] = REFERRAL_EXAMPLE

KINDS: list[tuple[int, dict[str, Any]]] = [  # (weight, overrides): the mix of a police area's referrals
    (40, {"offence.flags": ["domestic_abuse"]}),
    (
        12,
        {
            "offence.flags": ["sexual_offence"],
            "offence.home_office_code": "19C",
            "offence.description": "Sexual assault",
            "risk": None,
        },
    ),
    (
        10,
        {
            "offence.flags": [],
            "offence.hate_strands": ["race"],
            "offence.home_office_code": "8N",
            "offence.description": "Racially aggravated assault",
            "risk": None,
        },
    ),
    (
        6,
        {
            "offence.flags": ["road_traffic_collision"],
            "offence.rtc_outcome": "serious_injury",
            "offence.description": "Collision, serious injury",
            "risk": None,
        },
    ),
    (
        32,
        {
            "offence.flags": [],
            "offence.home_office_code": "28E",
            "offence.description": "Burglary",
            "risk": None,
        },
    ),
]
# Fictional names; phone numbers are Ofcom's drama range (07700 900000–900999), which reaches no one.
GIVEN_NAMES = (
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Erin",
    "Femi",
    "Grace",
    "Harry",
    "Isla",
    "Jamal",
    "Kasia",
    "Liam",
)
POSTCODES = ("WR1 2AB", "WR5 3DA", "DY10 1AA", "B97 4DL", "HR1 2EE", "TF1 5RY", "SY1 1HW", "WV1 4LY")


def referral_body(
    rng: random.Random, n: int, reported: dt.datetime, areas: tuple[str, ...]
) -> dict[str, Any]:
    """The n-th sample referral, reported at `reported`, from one of `areas`."""
    body = copy.deepcopy(TEMPLATE)
    overrides = rng.choices([k for _, k in KINDS], weights=[w for w, _ in KINDS])[0]
    for path, value in overrides.items():
        target = body
        *parents, leaf = path.split(".")
        for part in parents:
            target = target[part]
        target[leaf] = value
    body["source"]["reference"] = f"DEMO/{n:06d}"
    body["reported_at"] = reported.isoformat()
    body["offence"]["occurred_at"] = (reported - dt.timedelta(hours=rng.randint(1, 48))).isoformat()
    body["consent"]["recorded_at"] = reported.isoformat()
    victim = body["victim"]
    victim["given_name"] = rng.choice(GIVEN_NAMES)
    victim["family_name"] = f"Demo{n}"
    victim["date_of_birth"] = f"{rng.randint(1950, 2005)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    victim["postcode"] = rng.choice(POSTCODES)
    victim["policing_area"] = rng.choice(areas)
    victim["contact"]["phone"] = f"+447700900{rng.randint(0, 999):03d}"
    if body.get("risk"):
        body["risk"]["yes_count"] = rng.randint(3, 20)
    return body
