"""The Board pack's previous period is the whole period of the same kind before it (it was the same number of
days: June's was 2–31 May, Q1's 3 October–31 December, and one-day "months" pinned withheld counts)."""

from __future__ import annotations

import datetime as dt

import pytest

from val.board_pack.figures import Period
from val.calendar import reporting_period_problem

D = dt.date


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        (Period(D(2026, 6, 1), D(2026, 6, 30)), Period(D(2026, 5, 1), D(2026, 5, 31))),  # a month
        (Period(D(2026, 3, 1), D(2026, 3, 31)), Period(D(2026, 2, 1), D(2026, 2, 28))),  # after a short one
        (Period(D(2024, 3, 1), D(2024, 3, 31)), Period(D(2024, 2, 1), D(2024, 2, 29))),  # a leap February
        (Period(D(2026, 1, 1), D(2026, 1, 31)), Period(D(2025, 12, 1), D(2025, 12, 31))),  # across a year
        (Period(D(2026, 1, 1), D(2026, 3, 31)), Period(D(2025, 10, 1), D(2025, 12, 31))),  # a quarter
        (Period(D(2026, 7, 1), D(2026, 9, 30)), Period(D(2026, 4, 1), D(2026, 6, 30))),
        (Period(D(2025, 1, 1), D(2025, 12, 31)), Period(D(2024, 1, 1), D(2024, 12, 31))),  # a calendar year
        (Period(D(2026, 4, 1), D(2027, 3, 31)), Period(D(2025, 4, 1), D(2026, 3, 31))),  # a financial year
    ],
)
def test_the_previous_period_is_the_whole_one_of_the_same_kind(period, previous):
    assert period.previous == previous
    assert reporting_period_problem(previous.start, previous.end) is None, "a period the Board may be given"
    for month in previous.months():  # every monthly row a whole month
        assert month.start.day == 1 and (month.end + dt.timedelta(days=1)).day == 1
