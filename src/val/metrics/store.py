"""What the Prometheus figures read of the database: the one module of metrics that speaks SQL
(docs/architecture.md, "One way to the database")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from val.compliance.models import CompliancePoint
from val.compliance.store import effective_status_column
from val.metrics.models import IntakeTally
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


def add_to_tally(session: Session, channel: str, counts: dict[str, int]) -> None:
    """Adds to the count in the database (inserting the row the first time), so two imports finishing at once
    both count."""
    make_insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for outcome, count in counts.items():
        if count:
            adding = make_insert(IntakeTally).values(channel=channel, outcome=outcome, count=count)
            session.execute(
                adding.on_conflict_do_update(
                    index_elements=["channel", "outcome"], set_={"count": IntakeTally.count + count}
                )
            )


def tallies(session: Session) -> list[tuple[str, str, int]]:
    """(channel, outcome, count) of every tally."""
    rows = session.execute(select(IntakeTally.channel, IntakeTally.outcome, IntakeTally.count))
    return [(channel, outcome, count) for channel, outcome, count in rows]
