"""Contact attempts (docs/casework.md): each call, text, email, letter or visit to the victim, and what it means for
the case — first contact made, a number that is no longer safe or no longer theirs, a victim who cannot be
reached, support declined."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from val.alerts.kinds import AlertKind
from val.alerts.service import raise_alert
from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases import store as cases
from val.casework.messages import send_on_our_own
from val.casework.pages import page_of_case
from val.casework.service import change_consent, change_contact
from val.casework.store import records
from val.casework.store.records import AttemptRecord
from val.compliance import duties
from val.db.base import utcnow
from val.db.paging import Page
from val.errors import InvalidInputError
from val.rulebook import Rulebook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FIRST_CONTACT_POINT = "LS_FIRST_CONTACT"


def record_attempt(
    session: Session,
    principal: Principal,
    rulebook: Rulebook,
    case_id: uuid.UUID,
    attempt: dict[str, Any],
    *,
    unreached_alert_after: int,
    request_id: str | None,
) -> AttemptRecord:
    case = cases.case_of(session, case_id, for_update=True)
    at: dt.datetime = attempt["at"]
    outcome: str = attempt["outcome"]
    # People give a call's time to the minute: a call in the minute the referral arrived is after it.
    if at < case.received_at.replace(second=0, microsecond=0):
        raise InvalidInputError("The attempt is dated before VAL received the referral.", field="at")
    now = utcnow()
    row = AttemptRecord(
        id=uuid.uuid4(),
        case_id=case.id,
        at=at,
        channel=attempt["channel"],
        outcome=outcome,
        recorded_by=principal.credential_id,
        recorded_at=now,
    )
    records.add_attempt(session, row)
    if outcome == "reached":
        duties.fulfil_by_code(session, case.id, FIRST_CONTACT_POINT, at)
        if list(records.latest_outcomes(session, case.id)).count("reached") == 1:
            send_on_our_own(session, rulebook.messages, case.id, "first_contact")
    elif outcome == "unsafe_to_talk":
        change_contact(session, principal, case.id, {"safe_to_call": False}, now)
        raise_alert(
            session,
            AlertKind.UNSAFE_CONTACT,
            "The victim could not talk safely: do not call until a coordinator "
            "has agreed a safe way to make contact.",
            case_id=case.id,
        )
    elif outcome == "wrong_number":
        raise_alert(
            session,
            AlertKind.CONTACT_DETAILS_WRONG,
            "The contact details on the case reached someone else.",
            case_id=case.id,
        )
    elif outcome == "declined_support":
        change_consent(session, principal, rulebook, case.id, "declined", at)
    if outcome != "reached" and _unreached_run(session, case.id) == unreached_alert_after:
        raise_alert(
            session,
            AlertKind.UNABLE_TO_CONTACT,
            f"{unreached_alert_after} attempts in a row have not reached the victim.",
            case_id=case.id,
        )
    cases.new_version(session, case.id)
    audit(session, principal, f"case.contact_attempt.{outcome}", "case", case.id, request_id)
    return row


def _unreached_run(session: Session, case_id: uuid.UUID) -> int:
    """How many of the latest attempts, in a row, did not reach the victim."""
    run = 0
    for outcome in records.latest_outcomes(session, case_id):
        if outcome == "reached":
            break
        run += 1
    return run


def list_attempts(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    limit: int,
    after: list[Any] | None,
    request_id: str | None,
) -> Page[AttemptRecord]:
    """Newest first."""
    return page_of_case(
        session,
        principal,
        AttemptRecord,
        case_id,
        descending=True,
        limit=limit,
        after=after,
        action="case.contact_attempts_read",
        request_id=request_id,
    )
