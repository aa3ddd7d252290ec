"""Providers' webhook endpoints in the database: where webhooks go, the sealed secrets that sign them, and the
webhooks waiting for an endpoint (docs/architecture.md, "One way to the database")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import Session

from val.db.base import table_of
from val.db.records import columns_for, record_of
from val.db.transitions import move_all
from val.providers.models import Provider
from val.webhooks.domain import DELIVERY_TRANSITIONS, DeliveryStatus
from val.webhooks.models import WebhookDelivery

_D = table_of(WebhookDelivery).c
_P = table_of(Provider).c


@dataclass(frozen=True)
class SigningEndpoint:
    """Where a provider's webhooks go and the sealed secrets that sign them."""

    id: str
    webhook_url: str | None
    signing_secret: str | None
    previous_signing_secret: str | None
    previous_secret_expires_at: dt.datetime | None
    endpoint_disabled_at: dt.datetime | None


_SIGNING = select(*columns_for(Provider, SigningEndpoint)).where(_P.id.in_(bindparam("ids", expanding=True)))


def signing_endpoints(session: Session, provider_ids: Iterable[str]) -> dict[str, SigningEndpoint]:
    rows = session.execute(_SIGNING, {"ids": list(set(provider_ids))})
    return {endpoint.id: endpoint for endpoint in (SigningEndpoint(*row) for row in rows)}


# --- Endpoints ----------------------------------------------------------------------------------------------------


def signing_endpoint(
    session: Session, provider_id: str, *, for_update: bool = False
) -> SigningEndpoint | None:
    query = select(*columns_for(Provider, SigningEndpoint)).where(Provider.id == provider_id)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).first()
    return record_of(SigningEndpoint, row) if row is not None else None


def set_endpoint(session: Session, provider_id: str, **values: Any) -> None:
    """Change the provider's endpoint columns (URL, sealed secrets, when it was disabled)."""
    session.execute(update(Provider).where(Provider.id == provider_id).values(**values))


def all_sealed_secrets(
    session: Session, *, for_update: bool = False
) -> list[tuple[str, str | None, str | None]]:
    """Each provider's sealed signing secret and the previous one."""
    query = select(Provider.id, Provider.signing_secret, Provider.previous_signing_secret).order_by(
        Provider.id
    )
    if for_update:
        query = query.with_for_update()
    return [(p, current, previous) for p, current, previous in session.execute(query)]


def live_endpoints(session: Session) -> list[str]:
    """Providers with a registered endpoint that is not disabled."""
    return list(
        session.scalars(
            select(Provider.id).where(
                Provider.webhook_url.is_not(None), Provider.endpoint_disabled_at.is_(None)
            )
        )
    )


def providers_awaiting(session: Session) -> list[str]:
    """Providers with webhooks waiting for an endpoint."""
    return list(
        session.scalars(
            select(Provider.id).where(
                exists().where(
                    _D.provider_id == Provider.id, _D.status == DeliveryStatus.AWAITING_ENDPOINT.value
                )
            )
        )
    )


def release_awaiting(session: Session, provider_id: str, now: dt.datetime) -> int:
    """The provider's waiting webhooks are due now: how many."""
    return move_all(
        session,
        table_of(WebhookDelivery),
        DELIVERY_TRANSITIONS,
        DeliveryStatus.AWAITING_ENDPOINT,
        DeliveryStatus.PENDING,
        _D.provider_id == provider_id,
        next_attempt_at=now,
        locked_until=None,
        enqueued_at=None,
    )
