"""Demo data for the Board pack: months of referrals of every kind, worked as a real service would work them
(support offered and answered, Victims' Code duties met, late or missed, victims reached), dated across the
months. Used by `make pack-screenshot` and the pack's browser test. Fictional people only."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import uuid
from pathlib import Path

from sqlalchemy import select, update

from val.auth.roles import Role
from val.auth.service import system_principal
from val.calendar import london_date
from val.cases.models import Case
from val.casework.contact import record_attempt
from val.compliance.models import CompliancePoint
from val.compliance.service import fulfil_point
from val.db.session import Database, unit_of_work
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.referrals.service import accept_referral
from val.routing.models import Assignment
from val.routing.states import DECLINE_CODES
from val.rulebook import Rulebook
from val.settings import Settings

EXAMPLE = json.loads((Path(__file__).parents[1] / "tests" / "data" / "domain_example.json").read_text())
KINDS = [  # (weight, overrides): the mix of a police area's referrals
    (40, {"offence.flags": ["domestic_abuse"]}),
    (12, {"offence.flags": ["sexual_offence"], "offence.home_office_code": "19C", "risk": None}),
    (
        10,
        {
            "offence.flags": [],
            "offence.hate_strands": ["race"],
            "offence.home_office_code": "8N",
            "risk": None,
        },
    ),
    (6, {"offence.flags": ["road_traffic_collision"], "offence.rtc_outcome": "serious_injury", "risk": None}),
    (32, {"offence.flags": [], "offence.home_office_code": "28E", "risk": None}),
]


def referral_body(rng: random.Random, n: int, reported: dt.datetime, areas: tuple[str, ...]) -> dict:
    body = copy.deepcopy(EXAMPLE)
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
    body["victim"]["family_name"] = f"Demo{n}"
    body["victim"]["date_of_birth"] = f"{rng.randint(1950, 2005)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    body["victim"]["policing_area"] = rng.choice(areas)
    if body.get("risk"):
        body["risk"]["yes_count"] = rng.randint(3, 20)
    return body


def _dated(session, rulebook: Rulebook, case_id: uuid.UUID, received: dt.datetime) -> None:
    """Move what intake dated "now" to when this referral was received."""
    session.execute(update(Case).where(Case.id == case_id).values(received_at=received))
    session.execute(
        update(Assignment)
        .where(Assignment.case_id == case_id)
        .values(offered_at=received, updated_at=received, respond_by=received + dt.timedelta(days=2))
    )
    for point in session.scalars(
        select(CompliancePoint).where(
            CompliancePoint.case_id == case_id, CompliancePoint.trigger_event == "referral_received"
        )
    ):
        working = rulebook.catalogue.rule(point.code).days(point.enhanced)
        point.triggered_at, point.trigger_date = received, london_date(received)
        point.due_on = rulebook.working_days.due_on(received, working)


def _worked(
    session, rulebook: Rulebook, principal, rng: random.Random, case_id: uuid.UUID, received: dt.datetime
) -> None:
    r4 = session.scalar(
        select(CompliancePoint).where(
            CompliancePoint.case_id == case_id, CompliancePoint.code == "R4_REFERRAL_TO_SUPPORT"
        )
    )
    if r4 is not None and rng.random() < 0.85:
        late = rng.random() < 0.2
        at = dt.datetime.combine(r4.due_on, dt.time(11), dt.UTC) + dt.timedelta(
            days=rng.randint(2, 6) if late else -1
        )
        fulfil_point(session, principal, r4.id, max(at, r4.triggered_at), None)
    if rng.random() < 0.9:
        reached = received + dt.timedelta(hours=rng.choice([3, 20, 30, 50, 80, 120]))
        record_attempt(
            session,
            principal,
            rulebook,
            case_id,
            {"at": reached, "channel": "phone", "outcome": "reached"},
            unreached_alert_after=3,
            request_id=None,
        )
    for assignment in session.scalars(
        select(Assignment).where(Assignment.case_id == case_id, Assignment.provider_id.is_not(None))
    ):
        roll = rng.random()
        answered = received + dt.timedelta(hours=rng.randint(2, 40))
        if roll < 0.7:
            assignment.status = rng.choice(["accepted", "in_support", "in_support", "closed"])
            assignment.answered_at = answered
            if assignment.status == "closed":
                assignment.outcome = {
                    "outcome": rng.choice(["supported", "supported", "unable_to_contact"]),
                    "at": answered.isoformat(),
                }
        elif roll < 0.85:
            assignment.status, assignment.answered_at = "declined", answered
            assignment.decline_code = rng.choice(DECLINE_CODES)
        elif roll < 0.95:
            assignment.status = "expired"


def populate(
    database: Database,
    rulebook: Rulebook,
    settings: Settings,
    first: dt.date,
    last: dt.date,
    per_month: int,
    seed: int = 2026,
) -> int:
    configure_policing_areas(settings.policing_areas)
    rng, schema, made = random.Random(seed), ReferralSchema(), 0
    with unit_of_work(database) as session:
        intake = system_principal(session, "demo-police", Role.INTAKE)
        coordinator = system_principal(session, "demo-coordinator", Role.COORDINATOR)
    month = first.replace(day=1)
    while month <= last:
        for _ in range(per_month):
            day = month + dt.timedelta(days=rng.randint(0, 27))
            if day > last:
                continue
            reported = dt.datetime.combine(day, dt.time(rng.randint(8, 20)), dt.UTC)
            received = reported + dt.timedelta(hours=rng.randint(1, 6))
            with unit_of_work(database) as session:
                body = schema.load(referral_body(rng, made, reported, settings.policing_areas))
                case_id = accept_referral(session, intake, body, rulebook).case.id
                _dated(session, rulebook, case_id, received)
                _worked(session, rulebook, coordinator, rng, case_id, received)
            made += 1
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return made
