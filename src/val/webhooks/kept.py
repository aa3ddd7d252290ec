"""Kept deliveries, for admins: listed, and sent again on request."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.db.base import utcnow
from val.db.paging import Page, keyset, page_of
from val.db.transitions import transition
from val.errors import ConflictError, NotFoundError
from val.webhooks.domain import DELIVERY_TRANSITIONS, DeliveryStatus
from val.webhooks.models import WebhookDelivery
from val.webhooks.outbox import kick


def replay(
    session: Session, principal: Principal, delivery_id: uuid.UUID, request_id: str | None
) -> WebhookDelivery:
    """Send a kept delivery again, with its original webhook-id (receivers de-duplicate on it)."""
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFoundError("No webhook delivery with this id.")
    if not DELIVERY_TRANSITIONS.can(delivery.status, DeliveryStatus.PENDING):
        raise ConflictError("The delivery is still being attempted.", field="status")
    transition(
        session,
        WebhookDelivery,
        DELIVERY_TRANSITIONS,
        delivery.status,
        DeliveryStatus.PENDING,
        WebhookDelivery.id == delivery.id,
        attempts=0,
        next_attempt_at=utcnow(),
        enqueued_at=None,
    )
    kick(session)
    audit(session, principal, "webhook.replayed", "webhook_delivery", delivery.id, request_id)
    return delivery


def list_deliveries(
    session: Session,
    principal: Principal,
    request_id: str | None,
    *,
    status: str | None,
    provider: str | None,
    limit: int,
    after: list[Any] | None,
) -> Page[WebhookDelivery]:
    query = select(WebhookDelivery)
    if status:
        query = query.where(WebhookDelivery.status == status)
    if provider:
        query = query.where(WebhookDelivery.provider_id == provider)
    keys = [WebhookDelivery.created_at, WebhookDelivery.id]
    query = keyset(query, keys, descending=True, after=after).limit(limit + 1)
    page = page_of(list(session.scalars(query)), limit, lambda d: [d.created_at, d.id])
    audit(
        session,
        principal,
        "webhook_deliveries.listed",
        "webhook_delivery",
        "list",
        request_id,
        result_count=len(page.items),
    )
    return page
