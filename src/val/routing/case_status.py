"""Keeping a case's status true to its consent and assignments. A change to either asks for it
(`status_may_change`); the unit of work settles it once, at its end (`val.db.settle`)."""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from typing import TYPE_CHECKING

from val.cases import store as cases
from val.cases.activity import SYSTEM_ACTOR, ActivityKind
from val.cases.store import CaseRecord
from val.db.base import utcnow
from val.db.settle import later
from val.routing import store
from val.routing.states import implied_case_status
from val.triage.domain import CaseStatus, Consent, ConsentModel
from val.triage.rules import consent_decision

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def implied_status(session: Session, case: CaseRecord, *, may_close: bool) -> CaseStatus:
    permitted, consent_status, _ = consent_decision(
        ConsentModel(cases.consent_model_of(session, case.id)), Consent(case.consent_support_referral)
    )
    return implied_case_status(
        store.statuses_of(session, case.id), (permitted, consent_status), may_close=may_close
    )


def status_may_change(session: Session, case_id: uuid.UUID) -> None:
    """The case's consent or assignments changed in this unit of work: its status is settled at the end."""
    later(session, _sync, case_id)


def _sync(session: Session, case_id: Hashable) -> None:
    """A case a coordinator closed stays closed until reopened; one whose every provider has closed its
    referral closes itself, with the latest outcome."""
    assert isinstance(case_id, uuid.UUID)
    case = cases.case_of(session, case_id, for_update=True)
    if case.closed_at is not None:
        return
    target = implied_status(session, case, may_close=True)
    if target is CaseStatus.CLOSED:
        now = utcnow()
        outcome = (store.latest_closed(session, case.id).outcome or {}).get("outcome")
        cases.change(session, case.id, closed_at=now, closure_outcome=outcome)
        cases.record_activity(
            session,
            case.id,
            ActivityKind.CLOSED,
            f"every provider has closed its referral ({outcome})",
            actor=SYSTEM_ACTOR,
            at=now,
        )
    cases.move(session, case, target)
