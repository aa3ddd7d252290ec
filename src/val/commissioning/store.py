"""The period's offers for the commissioner's return, from the database: the one module of commissioning that speaks
SQL. The period is of London dates (inclusive) on which providers were offered referrals; each offer is read with its
case's triage and first contact."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from val.calendar import london_days
from val.cases.models import Case, TriageDecision
from val.casework.models import ContactAttempt
from val.commissioning.figures import ACCEPTED_STATUSES, Offer
from val.compliance.catalogue import Catalogue
from val.routing.models import Assignment

DAY = 86_400


def _days(later: dt.datetime | None, earlier: dt.datetime) -> float | None:
    return None if later is None else max(0.0, (later - earlier).total_seconds() / DAY)


def period_offers(
    session: Session, catalogue: Catalogue, date_from: dt.date, date_to: dt.date
) -> list[Offer]:
    start, end = london_days(date_from, date_to)
    first_reached = (
        select(ContactAttempt.case_id, func.min(ContactAttempt.at).label("at"))
        .where(ContactAttempt.outcome == "reached")
        .group_by(ContactAttempt.case_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Assignment.service,
            Assignment.status,
            Assignment.decline_code,
            Assignment.outcome,
            Assignment.offered_at,
            Assignment.answered_at,
            Case.received_at,
            TriageDecision.crime_types,
            first_reached.c.at,
        )
        .join(Case, Case.id == Assignment.case_id)
        .join(TriageDecision, TriageDecision.case_id == Assignment.case_id)
        .outerjoin(first_reached, first_reached.c.case_id == Assignment.case_id)
        .where(
            Assignment.provider_id.is_not(None),
            Assignment.offered_at >= start,
            Assignment.offered_at < end,
        )
    )
    offers = []
    for service, status, code, outcome, offered_at, answered_at, received_at, crime_types, reached_at in rows:
        accepted = status in ACCEPTED_STATUSES
        offers.append(
            Offer(
                service=service,
                crime_type=catalogue.principal_crime_type(list(crime_types or [])),
                status=status,
                decline_code=code,
                outcome=(outcome or {}).get("outcome"),
                days_to_acceptance=_days(answered_at, offered_at) if accepted else None,
                days_to_first_contact=_days(reached_at, received_at),
            )
        )
    return offers
