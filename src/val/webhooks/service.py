"""Webhook deliveries (written by `outbox`): swept onto provider queues when due,
sent under a lease, retried on the schedule, kept for replay. The database is the source of truth; the
broker only carries "try delivery X now"."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from val.db.base import utcnow
from val.db.session import without_waiting_for_disk
from val.webhooks.destinations import DestinationPolicy, UnsafeDestination, check_destination
from val.webhooks.secret_box import SecretBox, SecretUnopenable
from val.webhooks.sender import SendResult, WebhookSender
from val.webhooks.signing import headers_for
from val.webhooks.signing_keys import alert_secret_unopenable, live_secrets
from val.webhooks.store import deliveries as store
from val.webhooks.store import endpoints as endpoint_store
from val.webhooks.store.deliveries import DueDelivery

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["Claimed", "DueDelivery", "body_for", "claim_due", "claim_many_for_sending", "send"]

log = logging.getLogger("val.webhooks")


def body_for(payload: dict[str, Any]) -> str:
    """Minified JSON, exactly the bytes that are signed."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


def claim_due(
    session: Session, now: dt.datetime | None = None, limit: int = 500, requeue_after_s: float = 60
) -> list[DueDelivery]:
    """Deliveries due and not in flight, marked as enqueued so concurrent sweeps do not all publish them
    (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers). One enqueued but never picked up
    (its broker message lost) is published again after `requeue_after_s`. The caller commits before it
    publishes anything, so no row stays locked while the broker is talked to."""
    return store.claim_due(session, now or utcnow(), limit, requeue_after_s)


@dataclass(frozen=True)
class Claimed:
    """A delivery leased for one attempt, with what sending it needs. `url` is None when the provider has no
    live endpoint."""

    id: uuid.UUID
    message_id: str
    provider_id: str
    assignment_id: uuid.UUID | None
    attempts: int
    url: str | None
    body: str
    secrets: list[str]
    # The locked_until this worker set: its results count only while the lease is still its own.
    lease: dt.datetime


def claim_many_for_sending(
    session: Session, delivery_ids: list[uuid.UUID], lease_seconds: int, box: SecretBox
) -> list[Claimed]:
    """Take the deliveries' leases (so no two workers send one at once) and read what sending needs, in the
    caller's transaction: one statement takes the leases, one reads the providers' endpoints, and each
    provider's secrets are opened once. Those not due or in
    flight are left out; the rest come back in the order asked."""
    now = utcnow()
    until = now + dt.timedelta(seconds=lease_seconds)
    leased = store.take_leases(session, delivery_ids, now, until)
    if not leased:
        return []
    # A lease lost in a crash only lets another worker try sooner: no need to wait for the disk.
    without_waiting_for_disk(session)
    endpoints = endpoint_store.signing_endpoints(session, (r.provider_id for r in leased.values()))
    secrets_by_provider: dict[str, list[str]] = {}
    locked_out: set[str] = set()
    for provider_id, p in endpoints.items():
        try:
            secrets_by_provider[provider_id] = live_secrets(p, now, box)
        except SecretUnopenable:
            locked_out.add(provider_id)
    for provider_id in locked_out:
        alert_secret_unopenable(session, provider_id)
    claimed = []
    for delivery_id in delivery_ids:
        row = leased.get(delivery_id)
        if row is None:
            continue
        if row.provider_id in locked_out:
            # Held, not attempted and not failed: its lease lapses and the sweep offers it again, so it goes
            # as soon as the key is back.
            continue
        provider, secrets_ = endpoints[row.provider_id], secrets_by_provider[row.provider_id]
        live = provider.webhook_url and secrets_ and provider.endpoint_disabled_at is None
        claimed.append(
            Claimed(
                id=row.id,
                message_id=row.message_id,
                provider_id=row.provider_id,
                assignment_id=row.assignment_id,
                attempts=row.attempts,
                url=provider.webhook_url if live else None,
                body=body_for(row.payload),
                secrets=secrets_,
                lease=until,
            )
        )
    return claimed


def send(claimed: Claimed, sender: WebhookSender, policy: DestinationPolicy) -> SendResult:
    """The HTTP call, outside any transaction — after checking again where the endpoint now resolves to: a
    refused destination is an attempt that never opened a connection."""
    if claimed.url is None:
        raise ValueError("a delivery without a live endpoint is failed, never sent")
    try:
        destination = check_destination(claimed.url, policy)
    except UnsafeDestination:
        log.warning("webhook destination refused", extra={"provider_id": claimed.provider_id})
        return SendResult(None, 0, "destination_refused")
    return sender.send(
        destination, headers_for(claimed.message_id, utcnow(), claimed.body, claimed.secrets), claimed.body
    )
