"""Keeping a case's status true to its consent and assignments, in the unit of work that changed them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.cases.activity import SYSTEM_ACTOR, ActivityKind, record_activity
from val.cases.models import Case, TriageDecision
from val.cases.states import CASE_TRANSITIONS
from val.db.transitions import transition
from val.routing.models import Assignment
from val.routing.states import AssignmentStatus, implied_case_status
from val.triage.domain import CaseStatus, Consent, ConsentModel
from val.triage.rules import consent_decision


def implied_status(session: Session, case: Case, *, may_close: bool) -> CaseStatus:
    model = session.scalars(
        select(TriageDecision.consent_model).where(TriageDecision.case_id == case.id)
    ).one()
    permitted, consent_status, _ = consent_decision(
        ConsentModel(model), Consent(case.consent_support_referral)
    )
    statuses = [
        AssignmentStatus(s)
        for s in session.scalars(select(Assignment.status).where(Assignment.case_id == case.id))
    ]
    return implied_case_status(statuses, (permitted, consent_status), may_close=may_close)


def move_case(session: Session, case: Case, target: CaseStatus) -> None:
    """Change the case's status as its transition table allows (409 otherwise), guarded by the status it was
    read in; a new version for ETags."""
    if target != case.status:
        transition(
            session, Case, CASE_TRANSITIONS, case.status, target, Case.id == case.id, version=case.version + 1
        )


def sync_case_status(session: Session, case_id: uuid.UUID, now: dt.datetime) -> Case:
    """After a change to the case's assignments or consent. A case a coordinator closed stays closed until
    reopened; one whose every provider has closed its referral closes itself, with the latest outcome."""
    case = session.scalars(select(Case).where(Case.id == case_id).with_for_update()).one()
    if case.closed_at is not None:
        return case
    target = implied_status(session, case, may_close=True)
    if target is CaseStatus.CLOSED:
        last = session.scalars(
            select(Assignment)
            .where(Assignment.case_id == case.id, Assignment.status == AssignmentStatus.CLOSED)
            .order_by(Assignment.updated_at.desc())
            .limit(1)
        ).one()
        case.closed_at = now
        case.closure_outcome = (last.outcome or {}).get("outcome")
        record_activity(
            session,
            case.id,
            ActivityKind.CLOSED,
            f"every provider has closed its referral ({case.closure_outcome})",
            actor=SYSTEM_ACTOR,
            at=now,
        )
    move_case(session, case, target)
    return case
