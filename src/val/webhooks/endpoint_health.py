"""Endpoints that keep failing are disabled, and announced when they work again (run by the beat).

An endpoint whose every attempt has failed for `endpoint_disable_after_days` (5) is disabled: its webhooks wait
(`awaiting_endpoint`, nothing is lost) and coordinators are alerted. When the provider registers it again and a
delivery succeeds, the alert is resolved and a `webhook_endpoint_recovered` alert says so."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from val.alerts.kinds import AlertKind
from val.alerts.service import alert_open, raise_alert, raise_alert_once, resolve_matching
from val.webhooks.store import endpoints as store
from val.webhooks.store.health import failing_since, health

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _disabled_detail(provider_id: str) -> str:
    return (
        f"Webhooks to {provider_id} have failed for days; its endpoint is disabled and its webhooks wait until it "
        "is registered again (PUT /api/v1/provider/endpoint, or val providers set-endpoint)."
    )


def watch_endpoints(session: Session, disable_after: dt.timedelta, now: dt.datetime) -> tuple[int, int]:
    """(disabled, recovered) this run."""
    disabled = 0
    for provider_id in store.live_endpoints(session):
        since = failing_since(session, provider_id)
        if since is not None and now - since >= disable_after:
            store.set_endpoint(session, provider_id, endpoint_disabled_at=now)
            disabled += raise_alert_once(
                session, AlertKind.WEBHOOK_ENDPOINT_DISABLED, _disabled_detail(provider_id)
            )
    recovered = 0
    for provider_id in store.live_endpoints(session):
        detail = _disabled_detail(provider_id)
        if not alert_open(session, AlertKind.WEBHOOK_ENDPOINT_DISABLED, detail):
            continue
        # Failures come before the disabling; a success with none after it means it works again.
        if failing_since(session, provider_id) is None and health(session, provider_id, now).last_success_at:
            resolve_matching(session, AlertKind.WEBHOOK_ENDPOINT_DISABLED, detail)
            raise_alert(
                session, AlertKind.WEBHOOK_ENDPOINT_RECOVERED, f"Webhooks to {provider_id} work again."
            )
            recovered += 1
    return disabled, recovered
