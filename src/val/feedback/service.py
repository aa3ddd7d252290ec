"""Feedback links, answers and the Board's satisfaction figures. Services never commit."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.calendar import london_date
from val.cases import store as cases
from val.cases.activity import SYSTEM_ACTOR, ActivityKind
from val.compliance.catalogue import Catalogue
from val.feedback import figures, store
from val.feedback.questions import Answers, new_token, token_hash
from val.feedback.store import AnswerRecord, LinkRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FEEDBACK_PATH = "/feedback/"


class LinkState(StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # never issued, or tampered with


def new_link(session: Session, case_id: uuid.UUID, now: dt.datetime, days: int, base_url: str) -> str:
    """A fresh one-time link for the case (any earlier unused one stops working)."""
    token, hashed = new_token()
    store.add_link(
        session, LinkRecord(uuid.uuid4(), case_id, hashed, now, now + dt.timedelta(days=days), None), now
    )
    return f"{base_url.rstrip('/')}{FEEDBACK_PATH}{token}"


def state_of(session: Session, token: str, now: dt.datetime) -> tuple[LinkState, LinkRecord | None]:
    link = store.link_by_hash(session, token_hash(token)) if 20 <= len(token) <= 100 else None
    if link is None:
        return LinkState.UNKNOWN, None
    if link.used_at is not None:
        return LinkState.USED, link
    if link.expires_at <= now:
        return LinkState.EXPIRED, link
    return LinkState.OPEN, link


def answer(
    session: Session, token: str, answers: Answers, catalogue: Catalogue, now: dt.datetime
) -> LinkState:
    """Keep the answers against the case, once; the link's state when it cannot be used."""
    state, link = state_of(session, token, now)
    if state is not LinkState.OPEN or link is None:
        return state
    if not store.use_link(session, link.id, now):
        return LinkState.USED  # another tab submitted first
    bundle = cases.bundle(session, link.case_id)
    case, crime_types = bundle.case, list(bundle.triage.crime_types)
    store.add_answer(
        session,
        AnswerRecord(
            uuid.uuid4(),
            case.id,
            now,
            london_date(now),
            answers.satisfaction,
            answers.told_once,
            answers.listened_to,
            answers.comments,
            catalogue.principal_crime_type(crime_types),
            case.policing_area,
        ),
    )
    cases.record_activity(
        session,
        case.id,
        ActivityKind.FEEDBACK,
        "the victim answered the feedback page",
        actor=SYSTEM_ACTOR,
        at=now,
    )
    return LinkState.USED


def answers_for_case(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> list[AnswerRecord]:
    cases.case_of(session, case_id)
    found = store.answers_of(session, case_id)
    audit(session, principal, "feedback.read", "case", case_id, request_id, result_count=len(found))
    return found


def _months(start: dt.date, end: dt.date) -> list[str]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(f"{day:%Y-%m}")
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def satisfaction(
    session: Session,
    start: dt.date,
    end: dt.date,
    group_by: str,
    threshold: int,
    crime_types: tuple[str, ...],
    policing_areas: tuple[str, ...],
) -> dict[str, Any]:
    """Responses and satisfaction by month, crime type or policing area, protected (feedback.figures)."""
    values = {
        "month": _months(start, end),
        "crime_type": list(crime_types),
        "policing_area": list(policing_areas),
    }
    counted = {row.pop("group"): row for row in store.counts(session, start, end, group_by)}
    groups = [{group_by: value} for value in values[group_by]]
    return {
        "period": {"from": start, "to": end},
        "group_by": group_by,
        **figures.table(groups, counted, group_by, threshold),
    }
