"""How casework moves a case's points: the earliest open due date kept on the case for the work queue, the
referral duty set aside when consent is refused and owed again when it is given, a duty fulfilled by what a
coordinator records (the first contact that reaches the victim)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Hashable
from typing import TYPE_CHECKING

from val.compliance import store
from val.compliance.rules import ComplianceRules, PointStatus, status_when_fulfilled
from val.compliance.store import PointRecord
from val.db.settle import later

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CONSENT_REASONS = ("consent_declined", "opted_out")


def refresh_due(session: Session, case_id: uuid.UUID) -> None:
    """The case's points changed in this unit of work: its earliest open due date (the work queue orders and
    filters by it) is settled once, at the end (`val.db.settle`)."""
    later(session, _refresh_due, case_id)


def _refresh_due(session: Session, case_id: Hashable) -> None:
    assert isinstance(case_id, uuid.UUID)
    store.refresh_earliest_due(session, case_id)


def set_not_applicable(session: Session, case_id: uuid.UUID, code: str, reason: str, now: dt.datetime) -> int:
    """Open points of one right that no longer apply to the case (the referral point once consent is
    refused)."""
    changed = store.set_aside(session, case_id, code, reason, now)
    refresh_due(session, case_id)
    return changed


def owe_again(
    session: Session, rules: ComplianceRules, case_id: uuid.UUID, code: str, at: dt.datetime
) -> int:
    """Consent given after a refusal: the duty set aside for want of consent is owed again, due the rule's
    working days after consent was given (it could not be met before)."""
    rule = rules.catalogue.rule(code)
    points = store.set_aside_for(session, case_id, code, CONSENT_REASONS)
    for point in points:
        store.move(
            session,
            point,
            PointStatus.PENDING,
            reason=None,
            due_on=max(point.due_on, rules.working_days.due_on(at, rule.days(point.enhanced))),
            updated_at=at,
        )
    refresh_due(session, case_id)
    return len(points)


def fulfil_by_code(session: Session, case_id: uuid.UUID, code: str, at: dt.datetime) -> int:
    """Fulfil the case's open points of one code at `at` (met, or met late)."""
    points = store.open_of_code(session, case_id, code, at)
    for point in points:
        fulfil(session, point, at, at)
    refresh_due(session, case_id)
    return len(points)


def fulfil(session: Session, point: PointRecord, at: dt.datetime, now: dt.datetime) -> PointRecord:
    """Fulfilled at `at`: met, or met late (the time of fulfilment decides, not the time it is recorded)."""
    target = status_when_fulfilled(point.due_on, at)
    store.move(session, point, target, fulfilled_at=at, updated_at=now)
    return dataclasses.replace(point, status=target.value, fulfilled_at=at, updated_at=now)
