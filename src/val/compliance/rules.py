"""Which compliance points a trigger event opens, when they fall due, and what a fulfilment makes them.
Pure: no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from val.calendar import WorkingDays, london_date
from val.compliance.catalogue import Catalogue, PointRule
from val.states import TransitionTable


class PointStatus(StrEnum):
    PENDING = "pending"
    MET = "met"
    MET_LATE = "met_late"
    MISSED = "missed"
    NOT_APPLICABLE = "not_applicable"


P = PointStatus


def effective_status(status: str, due_on: dt.date, today: dt.date) -> str:
    """What a point is at this moment: a pending point past its due date (London) is missed, whether or not the
    sweep has recorded it yet. Every figure, list and filter reads this, so none depends on a background job."""
    if status == P.PENDING and due_on < today:
        return P.MISSED.value
    return status


POINT_TRANSITIONS = TransitionTable(
    "compliance point",
    PointStatus,
    {
        P.PENDING: {P.MET, P.MET_LATE, P.MISSED, P.NOT_APPLICABLE},
        # A point swept to missed may still be fulfilled: late, or in time but recorded late.
        P.MISSED: {P.MET, P.MET_LATE, P.NOT_APPLICABLE},
        # Consent given again after a refusal: the referral duty is owed once more.
        P.NOT_APPLICABLE: {P.PENDING},
    },
)
FULFILLABLE = tuple(sorted(POINT_TRANSITIONS.sources_of(PointStatus.MET_LATE)))
# Points still owed: pending, or missed and still to be met late.
OPEN_STATUSES = (PointStatus.PENDING.value, PointStatus.MISSED.value)


@dataclass(frozen=True)
class ComplianceRules:
    """Everything compliance decides with: the Victims' Code catalogue and the working-day calendar."""

    catalogue: Catalogue
    working_days: WorkingDays


@dataclass(frozen=True)
class CaseFacts:
    """What the compliance rules need to know about a case (decided at triage)."""

    enhanced: bool
    consent: str
    crime_types: tuple[str, ...]
    home_office_code: str | None


@dataclass(frozen=True)
class OpenedPoint:
    rule: PointRule
    triggered_at: dt.datetime
    due_on: dt.date
    status: PointStatus
    reason: str | None = None


def is_violent_or_sexual(catalogue: Catalogue, facts: CaseFacts, details: dict[str, Any]) -> bool:
    """A court record may say so explicitly; otherwise the case's crime types and Home Office code decide."""
    if "violent_or_sexual" in details:
        return bool(details["violent_or_sexual"])
    if catalogue.violent_or_sexual_crime_types.intersection(facts.crime_types):
        return True
    return (facts.home_office_code or "").upper() in catalogue.violent_or_sexual_codes


def _applies(rule: PointRule, catalogue: Catalogue, facts: CaseFacts, details: dict[str, Any]) -> bool:
    if (
        rule.min_custody_months is not None
        and int(details.get("custody_months") or 0) < rule.min_custody_months
    ):
        return False
    return not (rule.requires_violent_or_sexual and not is_violent_or_sexual(catalogue, facts, details))


def _consent_reason(facts: CaseFacts) -> str | None:
    # Without consent the referral point is not applicable, never missed (docs/domain.md).
    return {"declined": "consent_declined", "opted_out": "opted_out"}.get(facts.consent)


def points_for_event(
    catalogue: Catalogue,
    calendar: WorkingDays,
    facts: CaseFacts,
    event_type: str,
    occurred_at: dt.datetime,
    details: dict[str, Any] | None = None,
    already_opened: frozenset[str] = frozenset(),
) -> list[OpenedPoint]:
    """The points `event_type` opens for a case; `already_opened` are the codes the case already has, so a
    duty owed once in a case is not opened twice."""
    details = details or {}
    opened: list[OpenedPoint] = []
    for rule in catalogue.for_event(event_type):
        if rule.once_per_case and rule.code in already_opened:
            continue
        if not _applies(rule, catalogue, facts, details):
            continue
        due = calendar.due_on(occurred_at, rule.days(facts.enhanced))
        reason = _consent_reason(facts) if rule.consent_gated else None
        status = PointStatus.NOT_APPLICABLE if reason else PointStatus.PENDING
        opened.append(
            OpenedPoint(rule=rule, triggered_at=occurred_at, due_on=due, status=status, reason=reason)
        )
    return opened


def status_when_fulfilled(due_on: dt.date, at: dt.datetime) -> PointStatus:
    """Met when fulfilled on or before the due date in London; the time of fulfilment decides, not the time
    it is recorded (so a point swept to missed and then fulfilled in time becomes met)."""
    return PointStatus.MET if london_date(at) <= due_on else PointStatus.MET_LATE


def is_overdue(due_on: dt.date, today: dt.date) -> bool:
    return due_on < today


def age_band(age: int) -> str:
    return "under_18" if age < 18 else "18_plus"
