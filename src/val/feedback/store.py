"""Feedback links and answers in the database."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, func, insert, select, update
from sqlalchemy.orm import Session

from val.db.base import rows_affected, table_of
from val.db.records import columns_for, record_of, row_of
from val.feedback.models import FeedbackAnswer, FeedbackLink


@dataclass(frozen=True)
class LinkRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    token_hash: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None


@dataclass(frozen=True)
class AnswerRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    answered_at: dt.datetime
    answered_on: dt.date
    satisfaction: int
    told_once: str
    listened_to: str
    comments: str | None
    crime_type: str
    policing_area: str


def add_link(session: Session, link: LinkRecord, now: dt.datetime) -> None:
    """The case's new link; any earlier one not yet used stops working (only the latest message's link works)."""
    session.execute(
        update(FeedbackLink)
        .where(
            FeedbackLink.case_id == link.case_id,
            FeedbackLink.used_at.is_(None),
            FeedbackLink.expires_at > now,
        )
        .values(expires_at=now)
    )
    session.execute(insert(table_of(FeedbackLink)), [row_of(link)])


def link_by_hash(session: Session, token_hash: str) -> LinkRecord | None:
    row = session.execute(
        select(*columns_for(FeedbackLink, LinkRecord)).where(FeedbackLink.token_hash == token_hash)
    ).first()
    return record_of(LinkRecord, row) if row is not None else None


def use_link(session: Session, link_id: uuid.UUID, now: dt.datetime) -> bool:
    """Once: only an unused, unexpired link is used (two tabs submitting at once: one wins)."""
    changed = session.execute(
        update(FeedbackLink)
        .where(FeedbackLink.id == link_id, FeedbackLink.used_at.is_(None), FeedbackLink.expires_at > now)
        .values(used_at=now)
    )
    return rows_affected(changed) == 1


def add_answer(session: Session, answer: AnswerRecord) -> None:
    session.execute(insert(table_of(FeedbackAnswer)), [row_of(answer)])


def answers_of(session: Session, case_id: uuid.UUID) -> list[AnswerRecord]:
    query = select(*columns_for(FeedbackAnswer, AnswerRecord)).where(FeedbackAnswer.case_id == case_id)
    return [
        record_of(AnswerRecord, row) for row in session.execute(query.order_by(FeedbackAnswer.answered_at))
    ]


GROUP_COLUMNS = {
    "month": func.substr(cast(FeedbackAnswer.answered_on, String), 1, 7),
    "crime_type": FeedbackAnswer.crime_type,
    "policing_area": FeedbackAnswer.policing_area,
}


def _how_many(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def counts(session: Session, start: dt.date, end: dt.date, group_by: str) -> list[dict[str, Any]]:
    """Per group: responses, satisfied (4 or 5), told once (yes), listened to (yes), in [start, end]."""
    group: Any = GROUP_COLUMNS[group_by].label("group")
    query = (
        select(
            group,
            func.count().label("responses"),
            _how_many(FeedbackAnswer.satisfaction >= 4).label("satisfied"),
            _how_many(FeedbackAnswer.told_once == "yes").label("told_once"),
            _how_many(FeedbackAnswer.listened_to == "yes").label("listened_to"),
        )
        .where(FeedbackAnswer.answered_on >= start, FeedbackAnswer.answered_on <= end)
        .group_by(group)
    )
    return [dict(row._mapping) for row in session.execute(query)]


def forget_comments(session: Session, case_ids: list[uuid.UUID]) -> int:
    """Retention: the victim's own words go; the scores stay for the figures."""
    changed = session.execute(
        update(FeedbackAnswer).where(FeedbackAnswer.case_id.in_(case_ids)).values(comments=None)
    )
    return rows_affected(changed)
