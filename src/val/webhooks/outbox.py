"""The webhook outbox: a delivery is written in the transaction that caused it, so an offer and its webhook
are committed together or not at all. The relays send it (`service`)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from val.db.base import utcnow
from val.webhooks.domain import DeliveryStatus, WebhookEvent
from val.webhooks.store import deliveries as store
from val.webhooks.store.deliveries import NOTIFY_CHANNEL

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["NOTIFY_CHANNEL", "add_delivery", "kick"]


def kick(session: Session) -> None:
    """Wake the relays as soon as this transaction commits; without it the periodic sweep finds the work a
    moment later."""
    store.notify_relays(session)


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
    store.add(
        session,
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
