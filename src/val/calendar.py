"""Working days in England and Wales, and Victims' Code due dates. Pure: no I/O.

Monday to Friday, except England & Wales bank holidays (substitute days included, from the `holidays`
package) and a configurable list of extra closures. 24 December and 2 January are ordinary working days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


def london_date(instant: dt.datetime) -> dt.date:
    """The calendar date in London of an instant (23:30 UTC on a summer evening is the next London day)."""
    if instant.tzinfo is None:
        raise ValueError("a trigger instant must carry its timezone")
    return instant.astimezone(LONDON).date()


def london_days(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants (UTC) a run of London calendar days spans: from midnight of `first` up to, not including,
    midnight after `last` — what "received from … to …" means to someone in West Mercia."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=LONDON)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


class WorkingDays:
    def __init__(self, extra_closures: Iterable[dt.date] = ()) -> None:
        self.extra_closures = frozenset(extra_closures)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in _bank_holidays(day.year) and day not in self.extra_closures

    def next_working_day_on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, days: int) -> dt.date:
        """The Nth working day after `day` (day itself never counts)."""
        if days < 0:
            raise ValueError("working days cannot be negative")
        while days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def due_on(self, trigger: dt.datetime, days: int) -> dt.date:
        """Victims' Code deadline: N working days after the trigger's London date; 0 days is that date,
        or the next working day when it is not one."""
        start = london_date(trigger)
        if days == 0:
            return self.next_working_day_on_or_after(start)
        return self.add_working_days(start, days)


def reporting_period_problem(first: dt.date, last: dt.date) -> str | None:
    """Why `first`..`last` is not a period the Board may be given figures for; None when it is one.

    Rounding protects one table, not many: hundreds of overlapping day windows, each rounded, pin a withheld
    count down exactly by differencing. Board figures are therefore only for whole calendar months, calendar
    quarters, calendar years and financial years (1 April to 31 March), so the periods that overlap are few
    and each is a sum of the ones inside it."""
    if last < first:
        return "The period ends before it starts."
    if first.day != 1 or (last + dt.timedelta(days=1)).day != 1:
        return "Board figures are for whole months: from the 1st to the last day of a month."
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months == 1:
        return None
    if months == 3 and first.month in (1, 4, 7, 10):
        return None
    if months == 12 and first.month in (1, 4):
        return None
    return (
        "Board figures are for a calendar month, a quarter (from January, April, July or October), a calendar "
        "year or a financial year (April to March), so overlapping periods cannot be subtracted."
    )


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of `day`'s month."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)
