"""The one thing sample data does that a live line never does: move what intake dated "now" back to the day the
sample referral was received. Dates only; every state still changes through the services."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from val.calendar import WorkingDays, london_date
from val.cases.models import Case
from val.compliance.catalogue import Catalogue
from val.compliance.models import CompliancePoint
from val.compliance.rules import PointStatus
from val.routing.models import Assignment


def case_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


def received_on(
    session: Session,
    catalogue: Catalogue,
    working_days: WorkingDays,
    case_id: uuid.UUID,
    received: dt.datetime,
) -> None:
    """The case, its offers and its intake duties as if the referral had arrived at `received`."""
    session.execute(update(Case).where(Case.id == case_id).values(received_at=received))
    session.execute(
        update(Assignment)
        .where(Assignment.case_id == case_id)
        .values(offered_at=received, updated_at=received, respond_by=received + dt.timedelta(days=2))
    )
    points = session.execute(
        select(CompliancePoint.id, CompliancePoint.code, CompliancePoint.enhanced).where(
            CompliancePoint.case_id == case_id, CompliancePoint.trigger_event == "referral_received"
        )
    ).all()
    for point_id, code, enhanced in points:
        working = catalogue.rule(code).days(enhanced)
        session.execute(
            update(CompliancePoint)
            .where(CompliancePoint.id == point_id)
            .values(
                triggered_at=received,
                trigger_date=london_date(received),
                due_on=working_days.due_on(received, working),
            )
        )


def point_of(session: Session, case_id: uuid.UUID, code: str) -> uuid.UUID | None:
    return session.scalar(
        select(CompliancePoint.id).where(CompliancePoint.case_id == case_id, CompliancePoint.code == code)
    )


def answered_on(session: Session, assignment_id: uuid.UUID, answered: dt.datetime) -> None:
    session.execute(
        update(Assignment)
        .where(Assignment.id == assignment_id)
        .values(answered_at=answered, updated_at=answered)
    )


def offered_on(session: Session, case_id: uuid.UUID, since: dt.datetime, offered: dt.datetime) -> None:
    """Offers made after `since` (a decline's next offer) dated `offered`."""
    session.execute(
        update(Assignment)
        .where(Assignment.case_id == case_id, Assignment.offered_at >= since)
        .values(offered_at=offered, updated_at=offered, respond_by=offered + dt.timedelta(days=2))
    )


def assignment_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Assignment.status, func.count()).group_by(Assignment.status))
    return {status: count for status, count in rows}


def overdue_points(session: Session, today: dt.date) -> int:
    late = or_(
        CompliancePoint.status == PointStatus.MISSED,
        and_(CompliancePoint.status == PointStatus.PENDING, CompliancePoint.due_on < today),
    )
    query = select(func.count()).where(late)
    return session.scalar(query.select_from(CompliancePoint)) or 0
