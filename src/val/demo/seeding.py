"""Sample referrals taken in through intake and worked through the same services the API calls: providers
accept, decline (with a reason code) or leave an offer waiting, report outcomes; coordinators reach victims and
meet duties, some late; what nobody did stays pending or overdue. Every sample is dated across the months asked
for and carries fictional details only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import uuid
from typing import TYPE_CHECKING, NamedTuple

from val.auth.roles import Principal, Role
from val.auth.service import system_principal
from val.casework.contact import record_attempt
from val.compliance.duties import refresh_due
from val.compliance.service import fulfil_point
from val.db.base import utcnow
from val.db.session import Database, unit_of_work
from val.demo import store
from val.demo.sample import referral_body
from val.provider_portal.service import accept, decline, record_outcome
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.referrals.service import accept_referral
from val.routing import store as routing_store
from val.routing.states import DECLINE_CODES, AssignmentStatus
from val.rulebook import Rulebook
from val.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The duties sample work meets, and how often (the rest stay pending, then missed).
DUTIES_MET = (("R3_WRITTEN_CONFIRMATION", 0.8), ("R4_REFERRAL_TO_SUPPORT", 0.85))
OUTCOME_CHOICES = (None, "in_support", "in_support", "supported", "supported", "unable_to_contact")


class Staff(NamedTuple):
    """Who the sample work is recorded as: VAL's own command-line credentials, never a key anyone holds."""

    police: Principal
    coordinator: Principal
    provider: Principal  # bound to each offer's provider as it answers


class Seeded(NamedTuple):
    referrals: int
    offered: int  # waiting for the provider's answer
    accepted: int  # accepted, in support or closed by the provider
    declined: int
    overdue: int  # Victims' Code duties past their deadline and not yet met


def populate(
    database: Database,
    rulebook: Rulebook,
    settings: Settings,
    first: dt.date,
    last: dt.date,
    per_month: int,
    seed: int = 2026,
) -> int:
    """`per_month` referrals in each month from `first` to `last` (the Board pack's picture); answers how many
    were made."""
    rng, days = random.Random(seed), []
    month = first.replace(day=1)
    while month <= last:
        picked = (month + dt.timedelta(days=rng.randint(0, 27)) for _ in range(per_month))
        days += [day for day in picked if first <= day <= last]
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return _received(database, rulebook, settings, days, rng)


def _received(
    database: Database, rulebook: Rulebook, settings: Settings, days: list[dt.date], rng: random.Random
) -> int:
    """A sample referral received on each of `days`, each taken in and worked in its own unit of work."""
    configure_policing_areas(settings.policing_areas)
    schema = ReferralSchema()
    with unit_of_work(database) as session:
        staff = Staff(
            system_principal(session, "sample-police", Role.INTAKE),
            system_principal(session, "sample-coordinator", Role.COORDINATOR),
            system_principal(session, "sample-provider", Role.PROVIDER),
        )
    now = utcnow()
    for made, day in enumerate(days):
        reported = min(
            dt.datetime.combine(day, dt.time(rng.randint(8, 20)), dt.UTC), now - dt.timedelta(hours=1)
        )
        received = min(reported + dt.timedelta(hours=rng.randint(1, 6)), now)
        with unit_of_work(database) as session:
            body = schema.load(referral_body(rng, made, reported, settings.policing_areas))
            case_id = accept_referral(session, staff.police, body, rulebook).case.id
            store.received_on(session, rulebook.catalogue, rulebook.working_days, case_id, received)
            _worked(session, rulebook, staff, rng, case_id, received, now)
            refresh_due(session, case_id)
    return len(days)


def _worked(
    session: Session,
    rulebook: Rulebook,
    staff: Staff,
    rng: random.Random,
    case_id: uuid.UUID,
    received: dt.datetime,
    now: dt.datetime,
) -> None:
    def at(hours: int) -> dt.datetime | None:
        moment = received + dt.timedelta(hours=hours)
        return moment if moment < now else None

    for code, share in DUTIES_MET:
        point, met = store.point_of(session, case_id, code), at(rng.choice([20, 26, 50, 100, 170]))
        if point is not None and met is not None and rng.random() < share:
            fulfil_point(session, staff.coordinator, point, met, None)
    reached = at(rng.choice([3, 20, 30, 50, 80, 120]))
    if reached is not None and rng.random() < 0.9:
        attempt = {"at": reached, "channel": "phone", "outcome": "reached"}
        record_attempt(
            session, staff.coordinator, rulebook, case_id, attempt, unreached_alert_after=3, request_id=None
        )
    for assignment in routing_store.of_case(session, case_id):
        if assignment.provider_id is None or assignment.status != AssignmentStatus.OFFERED:
            continue
        answered = at(rng.randint(2, 40))
        if answered is None:
            continue  # too recent: the offer is still waiting for its provider
        provider = dataclasses.replace(staff.provider, provider_id=assignment.provider_id)
        roll = rng.random()
        if roll < 0.7:
            accept(session, provider, assignment.id, None)
            outcome, closed = rng.choice(OUTCOME_CHOICES), at(rng.randint(48, 400))
            if outcome is not None and closed is not None:
                record_outcome(session, provider, assignment.id, outcome, closed, None)
            store.answered_on(session, assignment.id, answered)
        elif roll < 0.85:
            code = rng.choice(DECLINE_CODES)
            decline(
                session, provider, rulebook.routing, assignment.id, "Sample decline", None, reason_code=code
            )
            store.answered_on(session, assignment.id, answered)
            store.offered_on(session, case_id, now, answered)  # the next provider's offer
        # otherwise the offer waits, and expires when its time to answer passes


def seed_recent(
    database: Database, rulebook: Rulebook, settings: Settings, referrals: int, today: dt.date
) -> Seeded:
    """`referrals` sample referrals received over the 90 days to today, oldest first (`val demo`)."""
    rng = random.Random(today.toordinal())
    days = sorted(today - dt.timedelta(days=rng.randint(0, 90)) for _ in range(referrals))
    _received(database, rulebook, settings, days, rng)
    with unit_of_work(database) as session:
        return _counted(session, today)


def _counted(session: Session, today: dt.date) -> Seeded:
    statuses = store.assignment_counts(session)
    taken = (AssignmentStatus.ACCEPTED, AssignmentStatus.IN_SUPPORT, AssignmentStatus.CLOSED)
    return Seeded(
        store.case_count(session),
        statuses.get(AssignmentStatus.OFFERED, 0),
        sum(statuses.get(status, 0) for status in taken),
        statuses.get(AssignmentStatus.DECLINED, 0),
        store.overdue_points(session, today),
    )
