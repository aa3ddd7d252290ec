"""What the Prometheus figures read of the database: the one module of metrics that speaks SQL
(docs/architecture.md, "One way to the database")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from val.compliance.models import CompliancePoint
from val.compliance.store import effective_status_column
from val.webhooks.models import WebhookDelivery


def deliveries_by_status(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status))
    return [(status, count) for status, count in rows]


def pending_by_provider(session: Session) -> list[tuple[str, int, dt.datetime]]:
    """(provider, deliveries not yet delivered, when the oldest was recorded): pending, and those waiting for the
    provider to register an endpoint — a backlog all the same."""
    rows = session.execute(
        select(WebhookDelivery.provider_id, func.count(), func.min(WebhookDelivery.created_at))
        .where(WebhookDelivery.status.in_(("pending", "awaiting_endpoint")))
        .group_by(WebhookDelivery.provider_id)
    )
    return [(provider, count, oldest) for provider, count, oldest in rows]


def open_points(session: Session, today: dt.date) -> dict[str, int]:
    """Points pending or missed, by their status as of `today`."""
    status_now = effective_status_column(today)
    rows = session.execute(
        select(status_now, func.count())
        .where(CompliancePoint.status.in_(("pending", "missed")))
        .group_by(status_now)
    )
    return {status: count for status, count in rows}
