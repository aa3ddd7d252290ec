"""Compliance points: opened by trigger events, fulfilled by coordinators, swept to missed by the beat."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.calendar import LONDON
from val.cases import store as cases
from val.cases.store import CaseRecord
from val.compliance import store
from val.compliance.duties import fulfil, refresh_due
from val.compliance.rules import (
    FULFILLABLE,
    OPEN_STATUSES,
    CaseFacts,
    ComplianceRules,
    age_band,
    points_for_event,
)
from val.compliance.store import EventRecord, PointRecord
from val.db.base import utcnow
from val.db.paging import Page
from val.errors import ConflictError, InvalidInputError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Grouping:
    """The non-identifying facts the Board groups by, copied onto each point."""

    enhanced: bool
    policing_area: str
    age_band: str
    crime_type: str


def grouping_for(
    rules: ComplianceRules, crime_types: list[str], enhanced: bool, area: str, age: int
) -> Grouping:
    return Grouping(enhanced, area, age_band(age), rules.catalogue.principal_crime_type(crime_types))


def _point_rows(
    rules: ComplianceRules,
    case_id: uuid.UUID,
    facts: CaseFacts,
    grouping: Grouping,
    event_type: str,
    occurred_at: dt.datetime,
    details: dict[str, Any] | None = None,
    event_id: uuid.UUID | None = None,
    already_opened: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "case_id": case_id,
            "event_id": event_id,
            "code": opened.rule.code,
            "right": opened.rule.right,
            "agency": opened.rule.agency,
            "trigger_event": event_type,
            "triggered_at": occurred_at,
            "trigger_date": occurred_at.astimezone(LONDON).date(),
            "due_on": opened.due_on,
            "status": str(opened.status),
            "reason": opened.reason,
            "fulfilled_at": None,
            "enhanced": grouping.enhanced,
            "policing_area": grouping.policing_area,
            "age_band": grouping.age_band,
            "crime_type": grouping.crime_type,
            "updated_at": now,
        }
        for opened in points_for_event(
            rules.catalogue, rules.working_days, facts, event_type, occurred_at, details, already_opened
        )
    ]
    return rows


def _insert(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    store.add_points(session, rows)
    return rows


def intake_point_rows(
    rules: ComplianceRules,
    case_id: uuid.UUID,
    *,
    enhanced: bool,
    consent: str,
    crime_types: list[str],
    home_office_code: str | None,
    policing_area: str,
    age: int,
    reported_at: dt.datetime,
    received_at: dt.datetime,
) -> list[dict[str, Any]]:
    """The referral is the `crime_reported` event at `reported_at`; VAL's own first-contact standard runs from
    when the referral was received. Built before the case is written, so the case carries its earliest due
    date from the start; inserted with `insert_points` in the intake transaction."""
    facts = CaseFacts(
        enhanced=enhanced, consent=consent, crime_types=tuple(crime_types), home_office_code=home_office_code
    )
    grouping = grouping_for(rules, crime_types, enhanced, policing_area, age)
    return _point_rows(rules, case_id, facts, grouping, "crime_reported", reported_at) + _point_rows(
        rules, case_id, facts, grouping, "referral_received", received_at
    )


def insert_points(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _insert(session, rows)


def earliest_open_due(rows: list[dict[str, Any]]) -> dt.date | None:
    """The earliest due date of the open (pending or missed) points among `rows`."""
    open_ = [r["due_on"] for r in rows if r["status"] in OPEN_STATUSES]
    return min(open_) if open_ else None


def _case_context(
    session: Session, case_id: uuid.UUID, rules: ComplianceRules
) -> tuple[CaseRecord, CaseFacts, Grouping]:
    case, decision, _, offence = cases.bundle(session, case_id)
    facts = CaseFacts(
        enhanced=decision.enhanced_rights,
        consent=case.consent_support_referral,
        crime_types=tuple(decision.crime_types),
        home_office_code=offence.home_office_code,
    )
    grouping = grouping_for(
        rules, decision.crime_types, decision.enhanced_rights, case.policing_area, decision.age_at_offence
    )
    return case, facts, grouping


def record_event(
    session: Session,
    principal: Principal,
    rules: ComplianceRules,
    case_id: uuid.UUID,
    event_type: str,
    occurred_at: dt.datetime,
    details: dict[str, Any],
    request_id: str | None,
) -> tuple[EventRecord, list[dict[str, Any]]]:
    valid = rules.catalogue.event_types
    if event_type not in valid:
        raise InvalidInputError(f"Unknown event type; valid types: {', '.join(valid)}.", field="type")
    case, facts, grouping = _case_context(session, case_id, rules)
    if occurred_at < case.reported_at:
        raise InvalidInputError("The event is before the crime was reported.", field="occurred_at")
    event = EventRecord(
        id=uuid.uuid4(),
        case_id=case.id,
        type=event_type,
        occurred_at=occurred_at,
        details=details,
        recorded_at=utcnow(),
        recorded_by=principal.credential_id,
    )
    store.add_event(session, event)
    opened = store.codes_opened(session, case.id)
    rows = _insert(
        session,
        _point_rows(rules, case.id, facts, grouping, event_type, occurred_at, details, event.id, opened),
    )
    refresh_due(session, case.id)
    audit(session, principal, f"case.event.{event_type}", "case", case.id, request_id)
    return event, rows


def fulfil_point(
    session: Session, principal: Principal, point_id: uuid.UUID, at: dt.datetime, request_id: str | None
) -> PointRecord:
    point = store.point(session, point_id, for_update=True)
    if point is None:
        raise NotFoundError("No compliance point with this id.")
    if point.status not in FULFILLABLE:
        raise ConflictError(
            f"The point is {point.status}; only pending or missed points can be fulfilled.", field="status"
        )
    if at < point.triggered_at:
        raise InvalidInputError("Fulfilled before the event that opened the point.", field="at")
    fulfilled = fulfil(session, point, at, utcnow())
    refresh_due(session, point.case_id)
    audit(session, principal, "compliance_point.fulfilled", "case", point.case_id, request_id)
    return fulfilled


def london_today(now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(LONDON).date()


def sweep_overdue(session: Session, today: dt.date) -> int:
    """Pending points whose due date has passed become missed. One UPDATE: idempotent, and two overlapping
    sweeps cannot double-count anything."""
    return store.sweep(session, today, utcnow())


def list_points(
    session: Session,
    principal: Principal,
    *,
    status: str | None,
    due_before: dt.date | None,
    agency: str | None,
    right: int | None,
    limit: int,
    after: list[Any] | None,
    request_id: str | None,
) -> Page[PointRecord]:
    page = store.page_of_points(
        session,
        status=status,
        due_before=due_before,
        agency=agency,
        right=right,
        today=london_today(),
        limit=limit,
        after=after,
    )
    audit(
        session,
        principal,
        "compliance_points.listed",
        "compliance_point",
        "list",
        request_id,
        result_count=len(page.items),
    )
    return page
