"""Every figure of the Board pack, read and protected (docs/compliance.md). Each figure is a number, or says why it is
not one: withheld (too few to publish) or none (nothing to count) — two different facts."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from val.board_pack import store
from val.calendar import WorkingDays, london_date, london_days
from val.commissioning.returns import build_return, offers_by_service
from val.compliance import board
from val.compliance.catalogue import Catalogue
from val.compliance.suppression import protect_counts
from val.feedback.service import satisfaction

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

TIMELINESS_CODES = {
    "R4_REFERRAL_TO_SUPPORT": "Right 4: referral to support",
    "LS_FIRST_CONTACT": "First contact",
}
WITHHELD, NONE = "withheld", "none"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def previous(self) -> Period:
        """The period of the same kind just before: the previous month, quarter, calendar or financial year
        (Board periods are whole months, `calendar.reporting_period_problem`), so its figures are protected by
        the same rules and its monthly rows are whole months. Any other span: the same number of days before."""
        if self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            year, month = divmod(self.start.year * 12 + self.start.month - 1 - months, 12)
            return Period(dt.date(year, month + 1, 1), self.start - dt.timedelta(days=1))
        days = (self.end - self.start).days + 1
        return Period(self.start - dt.timedelta(days=days), self.start - dt.timedelta(days=1))

    def months(self) -> list[Period]:
        found, first = [], self.start.replace(day=1)
        while first <= self.end:
            following = (first + dt.timedelta(days=32)).replace(day=1)
            found.append(Period(max(first, self.start), min(following - dt.timedelta(days=1), self.end)))
            first = following
        return found

    def label(self) -> str:
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"


def rate_or_reason(row: dict[str, Any]) -> float | str:
    """The on-time rate, or why there is none: withheld (a part too small to publish) or none (no point met,
    late or missed yet)."""
    rate: float | None = row["on_time_rate"]
    if rate is not None:
        return rate
    if any(c in row["suppressed_cells"] for c in ("met", "met_late", "missed")):
        return WITHHELD
    return NONE


def on_time_by_right_by_month(
    session: Session, catalogue: Catalogue, period: Period, values: dict[str, tuple[Any, ...]]
) -> dict[str, Any]:
    rights = values["right"]
    months = period.months()
    series: dict[Any, list[float | str]] = {right: [] for right in rights}
    for month in months:
        summary = board.summarise(
            session, month.start, month.end, ["right"], catalogue.suppression_threshold, values
        )
        by_right = {row["group"]["right"]: row for row in summary.rows}
        for right in rights:
            series[right].append(rate_or_reason(by_right[right]))
    return {"months": [m.start.strftime("%b %Y") for m in months], "series": series}


def _principal_crime_types(session: Session, catalogue: Catalogue, period: Period) -> list[tuple[str, str]]:
    start, end = london_days(period.start, period.end)
    rows = store.received_between(session, start, end)
    return [(catalogue.principal_crime_type([t for t in key.split("|") if t]), area) for key, area in rows]


def volumes(
    session: Session, catalogue: Catalogue, period: Period, policing_areas: tuple[str, ...]
) -> dict[str, Any]:
    """Referrals received, by principal crime type and by policing area; offers by service (from the return)."""
    received = _principal_crime_types(session, catalogue, period)
    threshold = catalogue.suppression_threshold
    by_crime = Counter(crime for crime, _ in received)
    by_area = Counter(area for _, area in received)
    crime_counts, crime_total = protect_counts(
        {c: by_crime.get(c, 0) for c in catalogue.crime_type_priority}, threshold
    )
    area_counts, area_total = protect_counts({a: by_area.get(a, 0) for a in policing_areas}, threshold)
    return {
        "by_crime_type": crime_counts,
        "by_crime_type_total": crime_total,
        "by_area": area_counts,
        "by_area_total": area_total,
    }


def timeliness(
    session: Session, catalogue: Catalogue, working: WorkingDays, period: Period, today: dt.date
) -> dict[str, dict[str, Any]]:
    """For R4 and first contact: the median working days from trigger to fulfilment, and the share met on time
    (met ÷ met, met late or missed, as of now)."""
    found: dict[str, dict[str, Any]] = {}
    threshold = catalogue.suppression_threshold
    for code in TIMELINESS_CODES:
        rows = store.points_of_code(session, code, period.start, period.end, today)
        counts = Counter(s for s, _, _ in rows)
        waits = [
            _working_days(working, trigger, london_date(fulfilled))
            for s, trigger, fulfilled in rows
            if s in ("met", "met_late") and fulfilled is not None
        ]
        parts, _ = protect_counts({k: counts.get(k, 0) for k in ("met", "met_late", "missed")}, threshold)
        denominator = sum(v for v in parts.values() if v is not None)
        share: float | str
        if any(v is None for v in parts.values()):
            share = WITHHELD
        elif denominator == 0:
            share = NONE
        else:
            share = round((parts["met"] or 0) / denominator, 4)
        median: float | str = NONE if not waits else WITHHELD
        if len(waits) >= threshold:
            median = round(statistics.median(waits), 1)
        found[code] = {"median_working_days": median, "share_on_time": share}
    return found


def _working_days(working: WorkingDays, start: dt.date, end: dt.date) -> int:
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if working.is_working_day(day):
            days += 1
    return days


def missed_by_agency(
    session: Session, catalogue: Catalogue, period: Period, values: dict[str, Any]
) -> dict[str, Any]:
    summary = board.summarise(
        session, period.start, period.end, ["agency"], catalogue.suppression_threshold, values
    )
    return {row["group"]["agency"]: row["missed"] for row in summary.rows} | {
        "total": summary.total["missed"]
    }


def the_pack(
    session: Session,
    catalogue: Catalogue,
    working: WorkingDays,
    policing_areas: tuple[str, ...],
    period: Period,
    today: dt.date,
) -> dict[str, Any]:
    values = board.dimensions(catalogue, policing_areas)
    previous = period.previous
    current_return = build_return(session, catalogue, period.start, period.end)
    previous_return = build_return(session, catalogue, previous.start, previous.end)
    return {
        "period": period,
        "previous": previous,
        "threshold": catalogue.suppression_threshold,
        "on_time": on_time_by_right_by_month(session, catalogue, period, values),
        "on_time_previous": on_time_by_right_by_month(session, catalogue, previous, values),
        "volumes": volumes(session, catalogue, period, policing_areas),
        "volumes_previous": volumes(session, catalogue, previous, policing_areas),
        "offers": offers_by_service(current_return),
        "offers_previous": offers_by_service(previous_return),
        "timeliness": timeliness(session, catalogue, working, period, today),
        "timeliness_previous": timeliness(session, catalogue, working, previous, today),
        "missed_by_agency": missed_by_agency(session, catalogue, period, values),
        "missed_by_agency_previous": missed_by_agency(session, catalogue, previous, values),
        "return_total": current_return["total"],
        "feedback": {
            grouping: satisfaction(
                session,
                period.start,
                period.end,
                grouping,
                catalogue.suppression_threshold,
                tuple(catalogue.crime_type_priority),
                policing_areas,
            )
            for grouping in ("month", "crime_type")
        },
    }
