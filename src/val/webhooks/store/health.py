"""How a provider's endpoint is doing, and each delivery's attempts, for the provider's own view."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from val.db.records import columns_for, record_of
from val.webhooks.domain import DeliveryStatus
from val.webhooks.models import WebhookAttempt, WebhookDelivery

WAITING = (DeliveryStatus.PENDING.value, DeliveryStatus.AWAITING_ENDPOINT.value)


@dataclass(frozen=True)
class AttemptRecord:
    delivery_id: uuid.UUID
    attempted_at: dt.datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    answer: str | None


@dataclass(frozen=True)
class EndpointHealth:
    attempts: int  # in the window
    succeeded: int
    last_success_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    backlog: int  # deliveries not yet delivered (pending, or waiting for an endpoint)
    oldest_waiting_at: dt.datetime | None


_ATTEMPT = columns_for(WebhookAttempt, AttemptRecord)
_SUCCESS = WebhookAttempt.status_code.between(200, 299)


def attempts_of(session: Session, delivery_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[AttemptRecord]]:
    """Each delivery's attempts, oldest first: one query for a page."""
    found: dict[uuid.UUID, list[AttemptRecord]] = {one: [] for one in delivery_ids}
    if delivery_ids:
        rows = session.execute(
            select(*_ATTEMPT)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.attempted_at)
        )
        for row in rows:
            attempt = record_of(AttemptRecord, row)
            found[attempt.delivery_id].append(attempt)
    return found


def health(session: Session, provider_id: str, since: dt.datetime) -> EndpointHealth:
    """Attempts since `since`, the last success and failure ever, and the backlog."""
    of_provider = select(WebhookAttempt).join(
        WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id
    )
    mine = WebhookDelivery.provider_id == provider_id
    counted = session.execute(
        select(func.count(), func.count().filter(_SUCCESS))
        .select_from(WebhookAttempt)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
        .where(mine, WebhookAttempt.attempted_at >= since)
    ).one()
    last_success, last_failure = (
        session.scalar(
            of_provider.with_only_columns(func.max(WebhookAttempt.attempted_at)).where(mine, condition)
        )
        for condition in (_SUCCESS, ~_SUCCESS | WebhookAttempt.status_code.is_(None))
    )
    backlog, oldest = session.execute(
        select(func.count(), func.min(WebhookDelivery.created_at)).where(
            mine, WebhookDelivery.status.in_(WAITING)
        )
    ).one()
    return EndpointHealth(counted[0], counted[1], last_success, last_failure, backlog, oldest)


def failing_since(session: Session, provider_id: str) -> dt.datetime | None:
    """When the endpoint's current run of failures began (None: its last attempt succeeded, or none yet)."""
    mine = WebhookDelivery.provider_id == provider_id
    joined = (
        select(func.min(WebhookAttempt.attempted_at))
        .select_from(WebhookAttempt)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
    )
    last_success = session.scalar(
        joined.with_only_columns(func.max(WebhookAttempt.attempted_at)).where(mine, _SUCCESS)
    )
    after = [mine, ~_SUCCESS | WebhookAttempt.status_code.is_(None)]
    if last_success is not None:
        after.append(WebhookAttempt.attempted_at > last_success)
    found: dt.datetime | None = session.scalar(joined.where(*after))
    return found
