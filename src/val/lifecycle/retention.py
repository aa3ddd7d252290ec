"""Retention (docs/data-lifecycle.md): a closed case past the period keeps what every figure needs — ids, dates, triage,
routes, points, outcomes — and loses who the victim is. Idempotent: an anonymised case is never touched again.
The service never commits; the CLI command or the beat task that runs it owns the unit of work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.matching import postcode_district
from val.cases.models import Case, Offence, TriageDecision, Victim
from val.casework.models import CaseNote
from val.compliance.models import CaseEvent
from val.db.base import utcnow
from val.routing.models import Assignment
from val.triage.rules import add_months

# Free text a coordinator may have written into an event's details: erased; the typed facts stay.
_FREE_TEXT_DETAILS = ("note_ref",)


@dataclass(frozen=True)
class RetentionRun:
    cutoff: dt.datetime
    anonymised: int
    dry_run: bool


def cutoff_for(now: dt.datetime, years: int) -> dt.datetime:
    return dt.datetime.combine(add_months(now.date(), -12 * years), now.time(), tzinfo=dt.UTC)


def due_for_anonymising(session: Session, cutoff: dt.datetime) -> list[Case]:
    return list(
        session.scalars(
            select(Case)
            .where(Case.status == "closed", Case.closed_at < cutoff, Case.anonymised_at.is_(None))
            .order_by(Case.number)
            .with_for_update(skip_locked=True)
        )
    )


def apply_retention(
    session: Session,
    principal: Principal,
    years: int,
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> RetentionRun:
    now = now or utcnow()
    cutoff = cutoff_for(now, years)
    cases = due_for_anonymising(session, cutoff)
    if not dry_run:
        for case in cases:
            anonymise(session, case, now)
            audit(session, principal, "case.anonymised", "case", case.id, None)
    audit(
        session,
        principal,
        "retention.dry_run" if dry_run else "retention.applied",
        "retention",
        cutoff.date().isoformat(),
        None,
        result_count=len(cases),
    )
    return RetentionRun(cutoff=cutoff, anonymised=len(cases), dry_run=dry_run)


def anonymise(session: Session, case: Case, now: dt.datetime) -> None:
    case_id = case.id
    victim = session.scalars(select(Victim).where(Victim.case_id == case_id)).one()
    district = postcode_district(victim.postcode)
    session.execute(
        update(Victim)
        .where(Victim.case_id == case_id)
        .values(
            given_name=None,
            family_name=None,
            family_name_key=None,
            date_of_birth=None,  # the age band stays on each compliance point, the age on the triage
            gender=None,
            postcode=district,
            contact={},
            phone_e164=None,
            language=None,
            vulnerabilities=[],
            match_key=None,
        )
    )
    session.execute(update(Offence).where(Offence.case_id == case_id).values(description=None))
    decision = session.scalars(select(TriageDecision).where(TriageDecision.case_id == case_id)).one()
    # The DASH answers themselves go; the level, the MARAC decision and its reasons (counts) stay.
    decision.risk_input = {k: v for k, v in (decision.risk_input or {}).items() if k != "answers"}
    session.execute(update(CaseNote).where(CaseNote.case_id == case_id).values(text=""))
    session.execute(update(Assignment).where(Assignment.case_id == case_id).values(decline_reason=None))
    for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)):
        if any(key in event.details for key in _FREE_TEXT_DETAILS):
            event.details = {k: v for k, v in event.details.items() if k not in _FREE_TEXT_DETAILS}
    case.source_reference = ""  # the police record's reference leads straight back to the person
    # So does the duplicate key (a hash of that reference and the date of birth, easily tried); unique, so
    # replaced by a value that says only that the case was anonymised.
    case.duplicate_key = f"anonymised-{case_id.hex}"
    case.anonymised_at = now
    case.version += 1
