"""The Board's counts (`compliance_point_counts`, kept by triggers) always say what the points say: after
intake, fulfilment, the overdue sweep, deletion, compaction, and compactions racing each other and intake."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest
from sqlalchemy import delete, func, select

from val.auth.roles import Role
from val.auth.service import system_principal
from val.compliance.models import CompliancePoint, CompliancePointCount
from val.compliance.service import fulfil_point, sweep_overdue
from val.compliance.store import COUNTED, GROUP_COLUMNS, compact_counts, effective_status_column, raw_counts
from val.db.session import unit_of_work
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.referrals.service import accept_referral
from val.rulebook import load_rulebook
from val.settings import load_settings

SETTINGS = load_settings(environ={})
RULES = load_rulebook(SETTINGS.config_dir)
configure_policing_areas(SETTINGS.policing_areas)
PERIOD = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))
GROUPINGS = [[], ["right"], ["code", "agency"], ["crime_type", "policing_area", "age_band", "enhanced"]]


def _from_points(session, group_by, today):
    """The figures straight from every point, as the summary computed them before the counts existed."""
    columns = [getattr(CompliancePoint, name).label(name) for name in group_by]
    status = effective_status_column(today)
    query = select(*columns, status.label("status"), func.count()).where(
        CompliancePoint.trigger_date.between(*PERIOD)
    )
    query = query.group_by(*columns, status)
    found: dict[tuple, dict[str, int]] = {}
    for *key, effective, counted in session.execute(query):
        found.setdefault(tuple(key), dict.fromkeys(COUNTED, 0))[effective] = counted
    return {key: tallies for key, tallies in found.items() if any(tallies.values())}


def _from_counts(session, group_by, today):
    return {
        tuple(group[name] for name in group_by): tallies
        for group, tallies in raw_counts(session, *PERIOD, group_by, today)
        if any(tallies.values())
    }


def _assert_same(database, today):
    with unit_of_work(database) as session:
        for group_by in GROUPINGS:
            assert _from_counts(session, group_by, today) == _from_points(session, group_by, today), group_by


@pytest.fixture
def principal(database):
    with unit_of_work(database) as session:
        return system_principal(session, "counts-test", Role.INTAKE)


def _referrals(database, principal, referral_body, prefix: str, n: int) -> None:
    kinds = itertools.cycle(
        [
            {},
            {"offence.flags": ["sexual_offence"], "offence.home_office_code": "19C", "risk": None},
            {
                "offence.flags": [],
                "offence.hate_strands": ["race"],
                "offence.home_office_code": "8N",
                "risk": None,
            },
            {"victim.policing_area": "shropshire", "victim.date_of_birth": "2010-02-01"},
        ]
    )
    for i, kind in zip(range(n), kinds, strict=False):
        body = ReferralSchema().load(referral_body(**{"source.reference": f"{prefix}/{i}", **kind}))
        with unit_of_work(database) as session:
            accept_referral(session, principal, body, RULES)


def test_the_counts_say_what_the_points_say_through_every_change(database, principal, referral_body):
    assert GROUP_COLUMNS  # the groupings compared below are the summary's own
    _referrals(database, principal, referral_body, "COUNT", 12)
    today = dt.date.today()
    _assert_same(database, today)

    with unit_of_work(database) as session:
        points = session.scalars(select(CompliancePoint).order_by(CompliancePoint.id)).all()
        for point in points[::3]:
            if point.status == "pending":
                fulfil_point(session, principal, point.id, dt.datetime.now(dt.UTC), None)
    _assert_same(database, today)

    later = today + dt.timedelta(days=400)
    _assert_same(database, later)  # pending points past due read as missed, from the counts too
    with unit_of_work(database) as session:
        assert sweep_overdue(session, later) > 0
    _assert_same(database, later)

    with unit_of_work(database) as session:
        rows_before = session.scalar(select(func.count()).select_from(CompliancePointCount))
        left = compact_counts(session)
        assert left < rows_before
        assert compact_counts(session) == left  # nothing new: the same rows again
    _assert_same(database, later)

    with unit_of_work(database) as session:
        gone = session.scalars(select(CompliancePoint.id).limit(4)).all()
        session.execute(delete(CompliancePoint).where(CompliancePoint.id.in_(gone)))
    _assert_same(database, later)
    with unit_of_work(database) as session:
        compact_counts(session)
        assert session.scalar(select(func.min(CompliancePointCount.n))) > 0  # only real groupings are left
    _assert_same(database, later)


def test_compactions_racing_each_other_and_intake_lose_and_double_nothing(database, principal, referral_body):
    _referrals(database, principal, referral_body, "RACE-BASE", 6)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def compacting():
        try:
            barrier.wait()
            for _ in range(5):
                with unit_of_work(database) as session:
                    compact_counts(session)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    def intake(prefix: str):
        try:
            barrier.wait()
            _referrals(database, principal, referral_body, prefix, 6)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=compacting) for _ in range(2)]
    threads += [threading.Thread(target=intake, args=(f"RACE-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    _assert_same(database, dt.date.today())
    with unit_of_work(database) as session:
        compact_counts(session)
        total = session.scalar(select(func.sum(CompliancePointCount.n)))
        assert total == session.scalar(select(func.count()).select_from(CompliancePoint))
    _assert_same(database, dt.date.today())
