"""Webhooks for a provider with no live endpoint (never registered, or retired with a 410): they wait, a
coordinator is told, and they go as soon as the provider registers an endpoint — nothing is dropped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from val.alerts.kinds import AlertKind
from val.alerts.service import raise_alert_once, resolve_matching
from val.db.base import utcnow
from val.webhooks.store import endpoints as store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

AWAITING_ENDPOINT_ALERT = AlertKind.WEBHOOK_AWAITING_ENDPOINT


def _detail(provider_id: str) -> str:
    return (
        f"Webhooks to {provider_id} are waiting: it has no live webhook endpoint. They are sent as soon as one "
        "is registered (val providers set-endpoint); meanwhile the provider reads its referrals through the API."
    )


def alert_awaiting_endpoints(session: Session) -> int:
    """One open alert per provider with webhooks waiting for an endpoint (run by the beat); how many raised."""
    raised = 0
    for provider_id in store.providers_awaiting(session):
        raised += raise_alert_once(session, AWAITING_ENDPOINT_ALERT, _detail(provider_id))
    return raised


def release_awaiting(session: Session, provider_id: str) -> int:
    """The provider has a live endpoint again: its waiting webhooks are due now, in the order they were
    recorded, and the alert about them is resolved. How many were released."""
    released = store.release_awaiting(session, provider_id, utcnow())
    resolve_matching(session, AWAITING_ENDPOINT_ALERT, _detail(provider_id))
    return released
