"""Kept deliveries, for admins: listed, and sent again on request."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.db.base import utcnow
from val.db.paging import Page
from val.errors import ConflictError, NotFoundError
from val.webhooks.domain import DELIVERY_TRANSITIONS, REPLAYABLE_WHILE, DeliveryStatus
from val.webhooks.outbox import kick
from val.webhooks.store import deliveries as store
from val.webhooks.store.deliveries import DeliveryRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def replay(
    session: Session, principal: Principal, delivery_id: uuid.UUID, request_id: str | None
) -> DeliveryRecord:
    """Send a kept delivery again, with its original webhook-id (receivers de-duplicate on it)."""
    delivery = store.delivery(session, delivery_id, for_update=True)
    if delivery is None:
        raise NotFoundError("No webhook delivery with this id.")
    if not DELIVERY_TRANSITIONS.can(delivery.status, DeliveryStatus.PENDING):
        raise ConflictError("The delivery is still being attempted.", field="status")
    allowed = REPLAYABLE_WHILE.get(delivery.event_type)
    if allowed is not None and delivery.assignment_id is not None:
        now_status = store.assignment_status(session, delivery.assignment_id)
        if now_status not in allowed:
            raise ConflictError(
                f"The referral is {now_status} now: a {delivery.event_type} webhook about it is not sent again.",
                field="status",
            )
    store.send_again(session, delivery, utcnow())
    kick(session)
    audit(session, principal, "webhook.replayed", "webhook_delivery", delivery.id, request_id)
    return store.delivery(session, delivery_id) or delivery


def list_deliveries(
    session: Session,
    principal: Principal,
    request_id: str | None,
    *,
    status: str | None,
    provider: str | None,
    limit: int,
    after: list[Any] | None,
) -> Page[DeliveryRecord]:
    page = store.page_of_deliveries(session, status=status, provider=provider, limit=limit, after=after)
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
