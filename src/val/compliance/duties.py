"""How casework moves a case's points: the earliest open due date kept on the case for the work queue, the
referral duty set aside when consent is refused and owed again when it is given, a duty fulfilled by what a
coordinator records (the first contact that reaches the victim)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ColumnElement, and_, case, func, select, update
from sqlalchemy.orm import Session

from val.compliance.models import CompliancePoint, CompliancePointCount
from val.compliance.rules import POINT_TRANSITIONS, ComplianceRules, PointStatus, status_when_fulfilled
from val.db.base import rows_affected
from val.records.models import Case

OPEN_STATUSES = (PointStatus.PENDING.value, PointStatus.MISSED.value)


def effective_status_column(
    today: dt.date, table: type[CompliancePoint] | type[CompliancePointCount] = CompliancePoint
) -> ColumnElement[str]:
    """`effective_status` in SQL: a pending point past its due date reads as missed (of the points, or of
    their counts, which keep status and due date for this)."""
    overdue = and_(table.status == PointStatus.PENDING.value, table.due_on < today)
    return case((overdue, PointStatus.MISSED.value), else_=table.status)


CONSENT_REASONS = ("consent_declined", "opted_out")


def refresh_due(session: Session, case_id: uuid.UUID) -> None:
    """The case's earliest open due date, from its points (the work queue orders and filters by it)."""
    earliest = (
        select(func.min(CompliancePoint.due_on))
        .where(CompliancePoint.case_id == case_id, CompliancePoint.status.in_(OPEN_STATUSES))
        .scalar_subquery()
    )
    session.execute(update(Case).where(Case.id == case_id).values(earliest_open_due_on=earliest))


def set_not_applicable(session: Session, case_id: uuid.UUID, code: str, reason: str, now: dt.datetime) -> int:
    """Open points of one right that no longer apply to the case (the referral point once consent is
    refused)."""
    changed = rows_affected(
        session.execute(
            update(CompliancePoint)
            .where(
                CompliancePoint.case_id == case_id,
                CompliancePoint.code == code,
                CompliancePoint.status.in_(POINT_TRANSITIONS.sources_of(PointStatus.NOT_APPLICABLE)),
            )
            .values(status=PointStatus.NOT_APPLICABLE.value, reason=reason, updated_at=now)
        )
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
        point.status = POINT_TRANSITIONS.check(point.status, PointStatus.PENDING).value
        point.reason = None
        point.due_on = max(point.due_on, rules.working_days.due_on(at, rule.days(point.enhanced)))
        point.updated_at = at
    session.flush()
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
        point.status = POINT_TRANSITIONS.check(point.status, status_when_fulfilled(point.due_on, at)).value
        point.fulfilled_at = at
        point.updated_at = at
    session.flush()
    refresh_due(session, case_id)
    return len(points)
