"""The Board summary's figures match a brute-force recount, on PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections import Counter

import pytest
from sqlalchemy import insert

from val.auth.roles import Role
from val.auth.service import system_principal
from val.compliance.board import summarise
from val.compliance.models import CompliancePoint
from val.compliance.rules import effective_status
from val.compliance.service import london_today
from val.compliance.store import COUNTED, raw_counts
from val.compliance.suppression import COLUMNS, rounded
from val.db.session import unit_of_work
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.referrals.service import accept_referral
from val.rulebook import load_rulebook
from val.settings import load_settings

SETTINGS = load_settings(environ={})
RULEBOOK = load_rulebook(SETTINGS.config_dir)
START = dt.date(2026, 1, 1)


def status_now(row) -> str:
    """What the Board must count: a pending point past its due date is missed now (docs/compliance.md, issue 13)."""
    return effective_status(row["status"], row["due_on"], london_today())


@pytest.fixture
def points(database, referral_body):
    configure_policing_areas(SETTINGS.policing_areas)
    with unit_of_work(database) as session:
        principal = system_principal(session, "rms", Role.INTAKE)
        case = accept_referral(session, principal, ReferralSchema().load(referral_body()), RULEBOOK).case
    rng = random.Random(20261126)
    rules = RULEBOOK.catalogue.points
    rows = []
    for _ in range(600):
        rule = rng.choice(rules)
        day = START + dt.timedelta(days=rng.randrange(120))
        rows.append(
            {
                "id": uuid.uuid4(),
                "case_id": case.id,
                "event_id": None,
                "code": rule.code,
                "right": rule.right,
                "agency": rule.agency,
                "trigger_event": rule.trigger,
                "triggered_at": dt.datetime.combine(day, dt.time(12), dt.UTC),
                "trigger_date": day,
                "due_on": day + dt.timedelta(days=3),
                "status": rng.choice(COUNTED),
                "reason": None,
                "fulfilled_at": None,
                "enhanced": rng.random() < 0.6,
                "policing_area": rng.choice(SETTINGS.policing_areas),
                "age_band": rng.choice(["under_18", "18_plus"]),
                "crime_type": rng.choice(["domestic_abuse", "sexual_violence", "other"]),
                "updated_at": dt.datetime.now(dt.UTC),
            }
        )
    with unit_of_work(database) as session:
        session.execute(insert(CompliancePoint.__table__), rows)
        session.commit()
    return rows


@pytest.mark.parametrize(
    "group_by",
    [[], ["right"], ["code"], ["agency", "enhanced"], ["crime_type", "policing_area", "age_band"]],
)
def test_counts_match_a_brute_force_recount(database, points, group_by):
    date_from, date_to = dt.date(2026, 2, 1), dt.date(2026, 3, 31)
    expected: Counter = Counter()
    for row in points:
        if date_from <= row["trigger_date"] <= date_to:
            expected[(tuple(row[g] for g in group_by), status_now(row))] += 1
    with unit_of_work(database) as session:
        counted = raw_counts(session, date_from, date_to, group_by)
    got = Counter()
    for group, tallies in counted:
        for status, n in tallies.items():
            if n:
                got[(tuple(group[g] for g in group_by), status)] = n
    assert got == expected


def test_published_figures_are_the_recount_rounded_and_only_small_ones_are_hidden(database, points):
    date_from, date_to = dt.date(2026, 1, 1), dt.date(2026, 4, 30)
    with unit_of_work(database) as session:
        summary = summarise(session, date_from, date_to, ["right", "enhanced"], threshold=5)
    recount: Counter = Counter()
    for row in points:
        recount[((row["right"], row["enhanced"]), status_now(row))] += 1
    for row in summary.rows:
        key = (row["group"]["right"], row["group"]["enhanced"])
        truth = {status: recount[(key, status)] for status in COUNTED}
        truth["due"] = truth["met"] + truth["met_late"] + truth["missed"] + truth["pending"]
        for column in COLUMNS:
            if row[column] is None:
                assert column in row["suppressed_cells"]
            else:
                assert row[column] == rounded(truth[column]) and row[column] % 5 == 0
                assert not 0 < truth[column] < 5
    assert summary.total["due"] == rounded(sum(1 for r in points if status_now(r) != "not_applicable"))
    assert all(not set(row["group"]) - {"right", "enhanced"} for row in summary.rows)


def test_every_grouping_pair_groups_by_exactly_that_pair_and_publishes_protected_true_figures(
    database, points
):
    names = ["right", "code", "agency", "crime_type", "enhanced", "policing_area", "age_band"]
    date_from, date_to = START, START + dt.timedelta(days=30)
    in_period = [r for r in points if date_from <= r["trigger_date"] <= date_to]
    with unit_of_work(database) as session:
        for pair in itertools.combinations(names, 2):
            summary = summarise(session, date_from, date_to, list(pair), threshold=5)
            recount: Counter = Counter()
            for row in in_period:
                recount[(tuple(row[g] for g in pair), status_now(row))] += 1
            groups = [tuple(row["group"][g] for g in pair) for row in summary.rows]
            assert all(set(row["group"]) == set(pair) for row in summary.rows), pair
            assert sorted(groups, key=str) == sorted({key for key, _ in recount}, key=str), pair
            for row, key in zip(summary.rows, groups, strict=True):
                for status in ("met", "met_late", "missed", "pending"):
                    assert row[status] in (None, rounded(recount[(key, status)])), (pair, key, status)
            assert summary.total["due"] in (
                None,
                rounded(sum(1 for r in in_period if status_now(r) != "not_applicable")),
            )
