"""The transactional outbox: services add rows in their own transaction; the relay publishes after commit."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from val.db.base import utcnow
from val.messaging.models import OutboxMessage

_INSERT = insert(OutboxMessage.__table__)


def add(session: Session, topic: str, payload: dict[str, Any]) -> uuid.UUID:
    message_id = uuid.uuid4()
    session.execute(
        _INSERT, {"id": message_id, "topic": topic, "payload": payload, "created_at": utcnow(), "attempts": 0}
    )
    return message_id


def claim_unpublished(session: Session, limit: int) -> list[OutboxMessage]:
    """Rows no relay has published yet, locked so concurrent relays take disjoint sets (PostgreSQL)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.published_at.is_(None))
        .order_by(OutboxMessage.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def mark_published(session: Session, message_ids: list[uuid.UUID], at: dt.datetime | None = None) -> None:
    if message_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))
            .values(published_at=at or utcnow(), attempts=OutboxMessage.attempts + 1)
        )


def mark_processed(session: Session, message_id: uuid.UUID) -> OutboxMessage | None:
    """Idempotent: a redelivered message that was already processed is left as it is."""
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.processed_at is not None:
        return None
    message.processed_at = utcnow()
    return message
