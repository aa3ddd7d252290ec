"""The webhook outbox: a delivery is written in the transaction that caused it, so an offer and its webhook
are committed together or not at all. The relays send it (`service`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from val.db.base import table_of, utcnow
from val.db.deferred import execute_once, insert_row
from val.webhooks.domain import DeliveryStatus, WebhookEvent
from val.webhooks.models import WebhookDelivery

NOTIFY_CHANNEL = "val_webhooks"


def kick(session: Session) -> None:
    """Wake the relays as soon as this transaction commits (PostgreSQL NOTIFY is transactional); without it
    the periodic sweep finds the work a moment later."""
    if session.get_bind().dialect.name == "postgresql":
        execute_once(session, text(f"NOTIFY {NOTIFY_CHANNEL}"), "notify")


_INSERT_DELIVERY = insert(table_of(WebhookDelivery))


def add_delivery(
    session: Session,
    provider: Any,
    event_type: WebhookEvent,
    data: dict[str, Any],
    assignment_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """Record an event for a provider (anything with `id`, `webhook_url` and `endpoint_disabled_at`). Without a
    live endpoint it waits (`awaiting_endpoint`) and is sent when the provider registers one; the sweep
    alerts coordinators meanwhile (`alert_awaiting_endpoints`)."""
    now = utcnow()
    live = bool(provider.webhook_url) and provider.endpoint_disabled_at is None
    delivery_id = uuid.uuid4()
    insert_row(
        session,
        _INSERT_DELIVERY,
        {
            "id": delivery_id,
            "message_id": f"msg_{uuid.uuid4().hex}",
            "provider_id": provider.id,
            "assignment_id": assignment_id,
            "event_type": WebhookEvent(event_type).value,
            "payload": {
                "type": WebhookEvent(event_type).value,
                "timestamp": now.isoformat().replace("+00:00", "Z"),
                "data": data,
            },
            "status": (DeliveryStatus.PENDING if live else DeliveryStatus.AWAITING_ENDPOINT).value,
            "attempts": 0,
            "next_attempt_at": now if live else None,
            "locked_until": None,
            "enqueued_at": None,
            "created_at": now,
            "delivered_at": None,
            "last_status_code": None,
        },
    )
    if live:
        kick(session)
    return delivery_id
