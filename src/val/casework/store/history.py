"""What a case's timeline reads from the records that keep each fact, as frozen records."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from val.auth.store import PRINCIPALS
from val.casework.models import CaseNote, ContactAttempt
from val.casework.store.records import AttemptRecord, NoteRecord
from val.db.records import columns_for, record_of
from val.webhooks.models import WebhookAttempt, WebhookDelivery


@dataclass(frozen=True)
class DeliveryFact:
    """A webhook delivery of one of the case's assignments, with when it was last tried."""

    event_type: str
    provider_id: str
    status: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    last_attempt_at: dt.datetime | None


def credential_names(session: Session) -> dict[uuid.UUID, str]:
    """The name of everyone who can act in VAL (keys and people), by id."""
    return {
        credential_id: name
        for credential_id, name in session.execute(select(PRINCIPALS.c.id, PRINCIPALS.c.name))
    }


def deliveries_of(session: Session, assignment_ids: list[uuid.UUID]) -> list[DeliveryFact]:
    if not assignment_ids:
        return []
    last_attempt = (
        select(WebhookAttempt.delivery_id, func.max(WebhookAttempt.attempted_at).label("at"))
        .group_by(WebhookAttempt.delivery_id)
        .subquery()
    )
    rows = session.execute(
        select(
            WebhookDelivery.event_type,
            WebhookDelivery.provider_id,
            WebhookDelivery.status,
            WebhookDelivery.created_at,
            WebhookDelivery.delivered_at,
            last_attempt.c.at,
        )
        .outerjoin(last_attempt, last_attempt.c.delivery_id == WebhookDelivery.id)
        .where(WebhookDelivery.assignment_id.in_(assignment_ids))
    )
    return [DeliveryFact(*row) for row in rows]


def attempts_of(session: Session, case_id: uuid.UUID) -> list[AttemptRecord]:
    rows = session.execute(
        select(*columns_for(ContactAttempt, AttemptRecord)).where(ContactAttempt.case_id == case_id)
    )
    return [record_of(AttemptRecord, row) for row in rows]


def notes_of(session: Session, case_id: uuid.UUID) -> list[NoteRecord]:
    rows = session.execute(select(*columns_for(CaseNote, NoteRecord)).where(CaseNote.case_id == case_id))
    return [record_of(NoteRecord, row) for row in rows]
