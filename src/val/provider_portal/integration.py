"""A provider runs its own integration with its key (docs/providers.md): its endpoint and signing secret, a test
event, its own deliveries with every attempt, replays of its own, and how its endpoint is doing. Every read and
change is audited; a provider never sees another's."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.db.base import utcnow
from val.db.paging import Page
from val.errors import NotFoundError
from val.settings import Settings
from val.webhooks import endpoints, kept
from val.webhooks.destinations import policy_for
from val.webhooks.domain import WebhookEvent
from val.webhooks.outbox import add_delivery
from val.webhooks.secret_box import box_for
from val.webhooks.store import deliveries as deliveries_store
from val.webhooks.store import endpoints as endpoints_store
from val.webhooks.store.deliveries import DeliveryRecord
from val.webhooks.store.health import AttemptRecord, attempts_of, failing_since, health

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Health counts the attempts of the last week.
HEALTH_WINDOW = dt.timedelta(days=7)


@dataclass(frozen=True)
class EndpointView:
    url: str | None
    disabled_at: dt.datetime | None
    previous_secret_valid_until: dt.datetime | None
    health: dict[str, Any]


@dataclass(frozen=True)
class NewSecret:
    secret: str
    previous_secret_valid_until: dt.datetime | None


@dataclass(frozen=True)
class OwnDelivery:
    """A delivery as its provider sees it: what was sent, where it stands, and every attempt."""

    id: uuid.UUID
    message_id: str
    assignment_id: uuid.UUID | None
    event_type: str
    status: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    attempts: list[AttemptRecord]


def _own_delivery(delivery: DeliveryRecord, attempts: list[AttemptRecord]) -> OwnDelivery:
    return OwnDelivery(
        id=delivery.id,
        message_id=delivery.message_id,
        assignment_id=delivery.assignment_id,
        event_type=delivery.event_type,
        status=delivery.status,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
        next_attempt_at=delivery.next_attempt_at,
        attempts=attempts,
    )


def _own(principal: Principal) -> str:
    if principal.provider_id is None:  # the guard admits provider keys only, each bound to one provider
        raise NotFoundError("This credential is not a provider's.")
    return principal.provider_id


def endpoint_view(session: Session, principal: Principal, request_id: str | None) -> EndpointView:
    provider_id = _own(principal)
    endpoint = endpoints_store.signing_endpoint(session, provider_id)
    if endpoint is None:
        raise NotFoundError("No such provider.")
    now = utcnow()
    found = health(session, provider_id, now - HEALTH_WINDOW)
    audit(session, principal, "provider.endpoint_read", "provider", provider_id, request_id)
    rotating = endpoint.previous_secret_expires_at
    return EndpointView(
        url=endpoint.webhook_url,
        disabled_at=endpoint.endpoint_disabled_at,
        previous_secret_valid_until=rotating if rotating and rotating > now else None,
        health={
            "window_days": HEALTH_WINDOW.days,
            "attempts": found.attempts,
            "success_rate": round(found.succeeded / found.attempts, 4) if found.attempts else None,
            "last_success_at": found.last_success_at,
            "last_failure_at": found.last_failure_at,
            "failing_since": failing_since(session, provider_id),
            "backlog": found.backlog,
            "oldest_waiting_at": found.oldest_waiting_at,
        },
    )


def register(
    session: Session, principal: Principal, url: str, settings: Settings, request_id: str | None
) -> NewSecret:
    """Register or change the endpoint (the same destination rules as an admin's), with a fresh secret, shown
    once; webhooks that waited for an endpoint go now."""
    provider_id = _own(principal)
    policy = policy_for(
        allow_http=settings.http_webhooks_allowed,
        embedded=settings.embedded,
        allowlist=settings.webhook_host_allowlist,
    )
    secret = endpoints.set_endpoint(session, provider_id, url, policy=policy, box=box_for(settings))
    audit(session, principal, "provider.endpoint_set", "provider", provider_id, request_id, detail=url)
    return NewSecret(secret, None)


def rotate(session: Session, principal: Principal, settings: Settings, request_id: str | None) -> NewSecret:
    """A new secret; the old one keeps signing beside it for `secret_rotation_overlap_hours` (24)."""
    provider_id = _own(principal)
    overlap = dt.timedelta(hours=settings.secret_rotation_overlap_hours)
    secret = endpoints.rotate_secret(session, provider_id, overlap, box_for(settings))
    audit(session, principal, "provider.secret_rotated", "provider", provider_id, request_id)
    return NewSecret(secret, utcnow() + overlap)


def send_test(session: Session, principal: Principal, request_id: str | None) -> OwnDelivery:
    """A `ping` webhook to the provider's endpoint, signed and retried like any other."""
    provider_id = _own(principal)
    endpoint = endpoints_store.signing_endpoint(session, provider_id)
    if endpoint is None or not endpoint.webhook_url:
        raise NotFoundError("Register an endpoint first (PUT /api/v1/provider/endpoint).")
    data = {"provider_id": provider_id, "message": "A test event from VAL, sent because you asked for one."}
    delivery_id = add_delivery(session, endpoint, WebhookEvent.PING, data, None)
    audit(session, principal, "provider.test_sent", "webhook_delivery", delivery_id, request_id)
    found = deliveries_store.delivery(session, delivery_id) if delivery_id else None
    if found is None:  # pragma: no cover - written just above
        raise NotFoundError("The test event could not be recorded.")
    return _own_delivery(found, [])


def own_deliveries(
    session: Session,
    principal: Principal,
    request_id: str | None,
    *,
    status: str | None,
    limit: int,
    after: list[Any] | None,
) -> Page[OwnDelivery]:
    """The provider's deliveries, newest first, each with its attempts."""
    provider_id = _own(principal)
    page = deliveries_store.page_of_deliveries(
        session, status=status, provider=provider_id, limit=limit, after=after
    )
    attempts = attempts_of(session, [d.id for d in page.items])
    audit(
        session,
        principal,
        "provider.deliveries_listed",
        "webhook_delivery",
        "list",
        request_id,
        result_count=len(page.items),
    )
    return Page([_own_delivery(d, attempts[d.id]) for d in page.items], page.next_after)


def replay_own(
    session: Session, principal: Principal, delivery_id: uuid.UUID, request_id: str | None
) -> OwnDelivery:
    """Send one of its own deliveries again (as a coordinator's replay: same webhook-id, while still true);
    anyone else's is as good as absent."""
    found = deliveries_store.delivery(session, delivery_id)
    if found is None or found.provider_id != _own(principal):
        raise NotFoundError("No webhook delivery with this id.")
    replayed = kept.replay(session, principal, delivery_id, request_id)
    return _own_delivery(replayed, attempts_of(session, [delivery_id])[delivery_id])
