"""How casework moves a case's points: the earliest open due date kept on the case for the work queue, the
referral duty set aside when consent is refused and owed again when it is given, a duty fulfilled by what a
coordinator records (the first contact that reaches the victim)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Hashable

from sqlalchemy import ColumnElement, and_, case, func, select, update
from sqlalchemy.orm import Session

from val.cases.models import Case
from val.compliance.models import CompliancePoint, CompliancePointCount
from val.compliance.rules import POINT_TRANSITIONS, ComplianceRules, PointStatus, status_when_fulfilled
from val.db.settle import later
from val.db.transitions import move_all, transition

OPEN_STATUSES = (PointStatus.PENDING.value, PointStatus.MISSED.value)


def effective_status_column(
    today: dt.date | ColumnElement[dt.date],
    table: type[CompliancePoint] | type[CompliancePointCount] = CompliancePoint,
) -> ColumnElement[str]:
    """`val.compliance.rules.effective_status` in SQL, its twin (a test holds them to the same answers): a
    pending point past its due date reads as missed (of the points, or of their counts, which keep status and
    due date for this). `today` may be a bound parameter, for statements built once."""
    overdue = and_(table.status == PointStatus.PENDING.value, table.due_on < today)
    return case((overdue, PointStatus.MISSED.value), else_=table.status)


CONSENT_REASONS = ("consent_declined", "opted_out")


def refresh_due(session: Session, case_id: uuid.UUID) -> None:
    """The case's points changed in this unit of work: its earliest open due date (the work queue orders and
    filters by it) is settled once, at the end (`val.db.settle`)."""
    later(session, _refresh_due, case_id)


def _refresh_due(session: Session, case_id: Hashable) -> None:
    earliest = (
        select(func.min(CompliancePoint.due_on))
        .where(CompliancePoint.case_id == case_id, CompliancePoint.status.in_(OPEN_STATUSES))
        .scalar_subquery()
    )
    session.execute(update(Case).where(Case.id == case_id).values(earliest_open_due_on=earliest))


def set_not_applicable(session: Session, case_id: uuid.UUID, code: str, reason: str, now: dt.datetime) -> int:
    """Open points of one right that no longer apply to the case (the referral point once consent is
    refused)."""
    changed = move_all(
        session,
        CompliancePoint,
        POINT_TRANSITIONS,
        POINT_TRANSITIONS.sources_of(PointStatus.NOT_APPLICABLE),
        PointStatus.NOT_APPLICABLE,
        CompliancePoint.case_id == case_id,
        CompliancePoint.code == code,
        reason=reason,
        updated_at=now,
    )
    refresh_due(session, case_id)
    return changed


def owe_again(
    session: Session, rules: ComplianceRules, case_id: uuid.UUID, code: str, at: dt.datetime
) -> int:
    """Consent given after a refusal: the duty set aside for want of consent is owed again, due the rule's
    working days after consent was given (it could not be met before)."""
    rule = rules.catalogue.rule(code)
    points = list(
        session.scalars(
            select(CompliancePoint).where(
                CompliancePoint.case_id == case_id,
                CompliancePoint.code == code,
                CompliancePoint.status == PointStatus.NOT_APPLICABLE.value,
                CompliancePoint.reason.in_(CONSENT_REASONS),
            )
        )
    )
    for point in points:
        transition(
            session,
            CompliancePoint,
            POINT_TRANSITIONS,
            point.status,
            PointStatus.PENDING,
            CompliancePoint.id == point.id,
            reason=None,
            due_on=max(point.due_on, rules.working_days.due_on(at, rule.days(point.enhanced))),
            updated_at=at,
        )
    refresh_due(session, case_id)
    return len(points)


def fulfil_by_code(session: Session, case_id: uuid.UUID, code: str, at: dt.datetime) -> int:
    """Fulfil the case's open points of one code at `at` (met, or met late)."""
    points = list(
        session.scalars(
            select(CompliancePoint).where(
                CompliancePoint.case_id == case_id,
                CompliancePoint.code == code,
                CompliancePoint.status.in_(OPEN_STATUSES),
                CompliancePoint.triggered_at <= at,
            )
        )
    )
    for point in points:
        fulfil(session, point, at, at)
    refresh_due(session, case_id)
    return len(points)


def fulfil(session: Session, point: CompliancePoint, at: dt.datetime, now: dt.datetime) -> None:
    """Fulfilled at `at`: met, or met late (the time of fulfilment decides, not the time it is recorded)."""
    transition(
        session,
        CompliancePoint,
        POINT_TRANSITIONS,
        point.status,
        status_when_fulfilled(point.due_on, at),
        CompliancePoint.id == point.id,
        fulfilled_at=at,
        updated_at=now,
    )
