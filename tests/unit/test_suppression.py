"""Small-number suppression: nothing hidden can be recovered from what is published (docs/compliance.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from val.compliance.suppression import (
    COLUMNS,
    determined_cells,
    on_time_rate,
    protect_counts,
    relations,
    rounded,
    suppress,
)

THRESHOLD = 5


def table(groups: list[dict[str, int]]) -> list[dict[str, int]]:
    rows = []
    for g in groups:
        row = dict(g)
        row["due"] = row["met"] + row["met_late"] + row["missed"] + row["pending"]
        rows.append(row)
    rows.append({c: sum(r[c] for r in rows) for c in COLUMNS})
    return rows


def group(met=0, met_late=0, missed=0, pending=0, not_applicable=0):
    return {
        "met": met,
        "met_late": met_late,
        "missed": missed,
        "pending": pending,
        "not_applicable": not_applicable,
    }


def test_counts_from_1_to_4_are_hidden():
    result = suppress(
        table(
            [
                group(met=20, met_late=4, missed=5, pending=0, not_applicable=1),
                group(met=30, met_late=6, missed=7, pending=8, not_applicable=9),
            ]
        ),
        THRESHOLD,
    )
    assert {(0, "met_late"), (0, "not_applicable")} <= result.hidden


def test_a_table_without_small_numbers_hides_nothing():
    result = suppress(
        table(
            [
                group(met=20, met_late=5, missed=0, pending=0, not_applicable=6),
                group(met=30, met_late=6, missed=7, pending=8, not_applicable=9),
            ]
        ),
        THRESHOLD,
    )
    assert result.hidden == set()
    assert result.published(0, "missed") == 0 and on_time_rate(result, 0, THRESHOLD) == 0.8


def test_a_single_hidden_cell_in_a_row_gets_a_partner():
    # met_late = 3 would follow from due - met - missed - pending.
    result = suppress(
        table(
            [
                group(met=20, met_late=3, missed=10, pending=10),
                group(met=30, met_late=30, missed=30, pending=30),
            ]
        ),
        THRESHOLD,
    )
    row0 = {c for r, c in result.hidden if r == 0}
    assert "met_late" in row0 and len(row0 & {"due", "met", "met_late", "missed", "pending"}) >= 2
    assert not determined_cells(result.hidden, relations(2))


def test_a_rate_is_only_given_over_a_denominator_of_5_or_more():
    result = suppress(
        table([group(met=2, met_late=1, missed=1, pending=9), group(met=9, met_late=0, missed=0)]), THRESHOLD
    )
    assert on_time_rate(result, 0, THRESHOLD) is None
    assert on_time_rate(result, 1, THRESHOLD) is None or on_time_rate(result, 1, THRESHOLD) == 1.0


def test_an_example_table():
    # Right 4 by agency-like groups: the worked example in the closing note.
    rows = table(
        [group(met=40, met_late=6, missed=3, pending=1), group(met=25, met_late=5, missed=8, pending=0)]
    )
    result = suppress(rows, THRESHOLD)
    assert (0, "missed") in result.hidden and (0, "pending") in result.hidden
    assert not determined_cells(result.hidden, relations(2))


counts = st.integers(min_value=0, max_value=12)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.builds(group, counts, counts, counts, counts, counts), min_size=1, max_size=6))
def test_no_suppressed_cell_can_be_derived_from_the_published_ones(groups):
    rows = table(groups)
    result = suppress(rows, THRESHOLD)
    # Every primary cell is hidden ...
    for r, row in enumerate(rows):
        for c in COLUMNS:
            if 0 < row[c] < THRESHOLD:
                assert (r, c) in result.hidden
    # ... and no hidden cell follows from the published cells by the table's relations.
    assert not determined_cells(result.hidden, relations(len(groups)))
    # Published rates never sit over hidden parts or small denominators.
    for r in range(len(rows)):
        rate = on_time_rate(result, r, THRESHOLD)
        if rate is not None:
            assert rows[r]["met"] + rows[r]["met_late"] + rows[r]["missed"] >= THRESHOLD


grid_cells = st.tuples(st.integers(min_value=0, max_value=4), st.sampled_from(COLUMNS))


@settings(max_examples=400, deadline=None)
@given(st.sets(grid_cells, max_size=18))
def test_the_fast_exposure_check_agrees_with_exact_linear_algebra(hidden):
    # Four groups and the total row (index 4): any pattern of hidden cells.
    from val.compliance.suppression import exposed_cells

    assert exposed_cells(set(hidden), 4) == determined_cells(set(hidden), relations(4))


def test_a_large_sparse_table_leaves_nothing_exposed():
    import random

    from val.compliance.suppression import exposed_cells

    rng = random.Random(7)
    groups = [group(*(rng.randint(0, 8) for _ in range(5))) for _ in range(300)]
    result = suppress(table(groups), THRESHOLD)
    assert result.hidden and not exposed_cells(result.hidden, 300)


@pytest.mark.parametrize(
    ("count", "published"),
    [(0, 0), (2, 0), (3, 5), (5, 5), (7, 5), (8, 10), (12, 10), (13, 15), (22, 20), (24, 25), (1000, 1000)],
)
def test_counts_round_to_the_nearest_multiple_of_five(count, published):
    assert rounded(count) == published


@pytest.mark.parametrize(
    ("counts", "published", "total"),
    [
        ({"a": 12, "b": 0, "c": 7}, {"a": 10, "b": 0, "c": 5}, 20),
        ({"a": 12, "b": 3, "c": 7}, {"a": 10, "b": None, "c": None}, 20),  # 3 hidden, and 7 with it
        ({"a": 3, "b": 2, "c": 9}, {"a": None, "b": None, "c": 10}, 15),
        ({"a": 3, "b": 0}, {"a": None, "b": 0}, None),  # the total would be the hidden count
        ({"a": 0, "b": 0}, {"a": 0, "b": 0}, 0),
    ],
)
def test_a_one_way_table_never_gives_a_withheld_count_away(counts, published, total):
    assert protect_counts(counts, threshold=5) == (published, total)
