"""Which periods the Board may be given figures for (docs/compliance.md): whole months, quarters and years only."""

from __future__ import annotations

import datetime as dt

import pytest

from val.calendar import month_of, reporting_period_problem

D = dt.date


@pytest.mark.parametrize(
    ("first", "last", "allowed"),
    [
        (D(2026, 5, 1), D(2026, 5, 31), True),  # a month
        (D(2026, 2, 1), D(2026, 2, 28), True),
        (D(2028, 2, 1), D(2028, 2, 29), True),  # a leap February
        (D(2026, 4, 1), D(2026, 6, 30), True),  # a quarter
        (D(2026, 10, 1), D(2026, 12, 31), True),
        (D(2026, 1, 1), D(2026, 12, 31), True),  # a calendar year
        (D(2026, 4, 1), D(2027, 3, 31), True),  # a financial year
        (D(2026, 5, 1), D(2026, 5, 30), False),  # a day short
        (D(2026, 5, 2), D(2026, 5, 31), False),
        (D(2026, 5, 20), D(2026, 5, 20), False),  # a day
        (D(2026, 5, 1), D(2026, 6, 30), False),  # two months
        (D(2026, 2, 1), D(2026, 4, 30), False),  # three months, not a quarter
        (D(2026, 7, 1), D(2027, 6, 30), False),  # twelve months, not a year
        (D(2026, 1, 1), D(2027, 12, 31), False),  # two years
        (D(2026, 6, 1), D(2026, 5, 31), False),  # backwards
    ],
)
def test_only_whole_months_quarters_and_years(first, last, allowed):
    assert (reporting_period_problem(first, last) is None) is allowed


def test_month_of_any_day():
    assert month_of(D(2028, 2, 14)) == (D(2028, 2, 1), D(2028, 2, 29))
    assert month_of(D(2026, 12, 31)) == (D(2026, 12, 1), D(2026, 12, 31))
