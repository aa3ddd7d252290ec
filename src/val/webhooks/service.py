"""Webhook deliveries (written by `outbox`): swept onto provider queues when due,
sent under a lease, retried on the schedule, kept for replay. The database is the source of truth; the
broker only carries "try delivery X now"."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from val.db.base import table_of, utcnow
from val.db.session import without_waiting_for_disk
from val.providers.models import Provider
from val.webhooks.destinations import DestinationPolicy, UnsafeDestination, check_destination
from val.webhooks.domain import DeliveryStatus
from val.webhooks.models import WebhookAttempt, WebhookDelivery
from val.webhooks.secret_box import SecretBox, SecretUnopenable
from val.webhooks.sender import SendResult, WebhookSender
from val.webhooks.signing import headers_for
from val.webhooks.signing_keys import alert_secret_unopenable, live_secrets

log = logging.getLogger("val.webhooks")


def body_for(payload: dict[str, Any]) -> str:
    """Minified JSON, exactly the bytes that are signed."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class DueDelivery:
    id: uuid.UUID
    provider_id: str


def claim_due(
    session: Session, now: dt.datetime | None = None, limit: int = 500, requeue_after_s: float = 60
) -> list[DueDelivery]:
    """Deliveries due and not in flight, marked as enqueued so concurrent sweeps do not all publish them
    (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers). One enqueued but never picked up
    (its broker message lost) is published again after `requeue_after_s`. The caller commits before it
    publishes anything, so no row stays locked while the broker is talked to."""
    now = now or utcnow()
    rows = list(
        session.execute(
            select(WebhookDelivery.id, WebhookDelivery.provider_id)
            .where(
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                or_(
                    WebhookDelivery.enqueued_at.is_(None),
                    WebhookDelivery.enqueued_at < now - dt.timedelta(seconds=requeue_after_s),
                    WebhookDelivery.enqueued_at < WebhookDelivery.next_attempt_at,
                ),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if rows:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_([r.id for r in rows]))
            .values(enqueued_at=now)
        )
    return [DueDelivery(r.id, r.provider_id) for r in rows]


_D = table_of(WebhookDelivery).c
_P = table_of(Provider).c
_INSERT_ATTEMPT = insert(table_of(WebhookAttempt))


# Built once, for every webhook: the leases of the given deliveries still due and not in flight, and what
# sending them needs.
_LEASE = (
    update(table_of(WebhookDelivery))
    .where(
        _D.id.in_(bindparam("ids", expanding=True)),
        _D.status == DeliveryStatus.PENDING.value,
        _D.next_attempt_at <= bindparam("now"),
        or_(_D.locked_until.is_(None), _D.locked_until < bindparam("now")),
    )
    .values(locked_until=bindparam("until"))
    .returning(_D.id, _D.message_id, _D.payload, _D.provider_id, _D.attempts, _D.assignment_id)
)
_ENDPOINT = select(
    _P.id,
    _P.webhook_url,
    _P.signing_secret,
    _P.previous_signing_secret,
    _P.previous_secret_expires_at,
    _P.endpoint_disabled_at,
).where(_P.id.in_(bindparam("ids", expanding=True)))


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
    leased = {
        row.id: row for row in session.execute(_LEASE, {"ids": delivery_ids, "now": now, "until": until})
    }
    if not leased:
        return []
    # A lease lost in a crash only lets another worker try sooner: no need to wait for the disk.
    without_waiting_for_disk(session)
    endpoints = {
        p.id: p for p in session.execute(_ENDPOINT, {"ids": list({r.provider_id for r in leased.values()})})
    }
    secrets_by_provider, locked_out = {}, set()
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
        check_destination(claimed.url, policy)
    except UnsafeDestination:
        log.warning("webhook destination refused", extra={"provider_id": claimed.provider_id})
        return SendResult(None, 0, "destination_refused")
    return sender.send(
        claimed.url, headers_for(claimed.message_id, utcnow(), claimed.body, claimed.secrets), claimed.body
    )
