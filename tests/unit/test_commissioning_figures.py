"""The commissioner's return, computed and protected without I/O (table-driven)."""

from __future__ import annotations

import itertools

import pytest

from val.commissioning.figures import PARTITION, Offer, commissioning_return

CODES = ("no_capacity", "other")


def offers(service, crime_type, **by_status):
    made = []
    for status, n in by_status.items():
        code = "no_capacity" if status == "declined" else None
        outcome = "supported" if status == "closed" else None
        made += [Offer(service, crime_type, status, code, outcome, 1.0, 2.0) for _ in range(n)]
    return made


def table(all_offers, services=("idva", "isva"), crime_types=("domestic_abuse", "sexual_violence")):
    return commissioning_return(all_offers, services, crime_types, CODES, threshold=5)


def test_every_service_and_crime_type_is_a_row_and_the_total_is_last():
    rows = table([])
    assert [(r.service, r.crime_type) for r in rows] == [
        *itertools.product(("idva", "isva"), ("domestic_abuse", "sexual_violence")),
        (None, None),
    ]
    assert all(value == 0 for row in rows for value in row.counts.values())


@pytest.mark.parametrize(
    ("by_status", "expected"),
    [
        (
            {"accepted": 20, "declined": 10},
            {"offered": 30, "accepted": 20, "declined": 10, "declined_no_capacity": 10},
        ),
        (
            {"in_support": 10, "closed": 10},
            {"offered": 20, "accepted": 20, "supported": 20, "outcome_supported": 10},
        ),
        (
            {"expired": 10, "offered": 5, "withdrawn": 5},
            {"offered": 20, "expired": 10, "open": 5, "withdrawn": 5},
        ),
    ],
)
def test_offers_are_counted_by_what_became_of_them(by_status, expected):
    row = table(offers("idva", "domestic_abuse", **by_status))[0]
    assert {k: v for k, v in row.counts.items() if v} == expected


def test_counts_below_five_are_withheld_and_no_relation_gives_one_away():
    rows = table(offers("idva", "domestic_abuse", accepted=20, declined=3))
    first = rows[0].counts
    assert first["declined"] is None and first["declined_no_capacity"] is None
    hidden_in_partition = [c for c in ("offered", *PARTITION) if first[c] is None]
    assert len(hidden_in_partition) >= 2, "offered minus the rest would reveal the declines"
    total = rows[-1].counts
    assert sum(1 for c in ("offered", *PARTITION) if total[c] is None) != 1


def test_published_counts_are_multiples_of_five_and_small_medians_are_withheld():
    rows = table(
        offers("idva", "domestic_abuse", accepted=12) + offers("isva", "sexual_violence", accepted=3)
    )
    for row in rows:
        assert all(v is None or v % 5 == 0 for v in row.counts.values())
    assert rows[0].medians == {"median_days_to_first_contact": 2.0, "median_days_to_acceptance": 1.0}
    isva = next(r for r in rows if r.service == "isva" and r.crime_type == "sexual_violence")
    assert isva.medians == {"median_days_to_first_contact": None, "median_days_to_acceptance": None}
