"""Retention (docs/data-lifecycle.md): a closed case past the period keeps what every figure needs — ids, dates, triage,
routes, points, outcomes — and loses who the victim is. Idempotent: an anonymised case is never touched again.
The service never commits; the CLI command or the beat task that runs it owns the unit of work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.matching import postcode_district
from val.db.base import utcnow
from val.db.session import empty_the_log_after_commit
from val.lifecycle import store
from val.triage.rules import add_months

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session

# Free text a coordinator may have written into an event's details: erased; the typed facts stay.
_FREE_TEXT_DETAILS = ("note_ref",)


@dataclass(frozen=True)
class RetentionRun:
    cutoff: dt.datetime
    anonymised: int
    dry_run: bool


def cutoff_for(now: dt.datetime, years: int) -> dt.datetime:
    return dt.datetime.combine(add_months(now.date(), -12 * years), now.time(), tzinfo=dt.UTC)


def due_for_anonymising(session: Session, cutoff: dt.datetime) -> list[uuid.UUID]:
    return store.closed_before(session, cutoff)


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
        for case_id in cases:
            anonymise(session, case_id, now)
            audit(session, principal, "case.anonymised", "case", case_id, None)
        if cases:
            empty_the_log_after_commit(session)
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


def _victim_kept(postcode: str | None) -> dict[str, Any]:
    """Who the victim is goes; the postcode district stays (the Board's area figures need no more)."""
    return {
        "given_name": None,
        "family_name": None,
        "family_name_key": None,
        "date_of_birth": None,  # the age band stays on each compliance point, the age on the triage
        "gender": None,
        "postcode": postcode_district(postcode),
        "contact": {},
        "phone_e164": None,
        "language": None,
        "vulnerabilities": [],
        "match_key": None,
    }


def _risk_kept(risk_input: dict[str, Any]) -> dict[str, Any]:
    """The DASH answers themselves go; the level, the MARAC decision and its reasons (counts) stay."""
    return {k: v for k, v in risk_input.items() if k != "answers"}


def _details_kept(details: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in details.items() if k not in _FREE_TEXT_DETAILS}


def anonymise(session: Session, case_id: uuid.UUID, now: dt.datetime) -> None:
    """The police record's reference leads straight back to the person, and so does the duplicate key (a hash
    of that reference and the date of birth, easily tried): both go with the rest."""
    store.anonymise(
        session, case_id, now, victim=_victim_kept, risk_input=_risk_kept, event_details=_details_kept
    )
