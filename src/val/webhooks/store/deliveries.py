"""Webhook deliveries and their attempts in the database (docs/architecture.md, "One way to the database"): the
outbox, the sweep's claims, leases, attempts, kept deliveries. Plain values in, frozen records out. A delivery's
status changes only through the transition table; once a worker holds a delivery's lease, every write it makes
is guarded by that lease as well (`WHERE locked_until = :lease`), so a worker whose lease ran out changes
nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Uuid, bindparam, column, insert, or_, select, table, text, update
from sqlalchemy.orm import Session

from val.db.base import table_of
from val.db.deferred import execute_once, insert_row
from val.db.paging import Page, keyset, page_of
from val.db.records import columns_for, record_of
from val.db.transitions import guarded_update, transition
from val.webhooks.domain import DELIVERY_TRANSITIONS, DeliveryStatus
from val.webhooks.models import WebhookAttempt, WebhookDelivery

NOTIFY_CHANNEL = "val_webhooks"

_D = table_of(WebhookDelivery).c
_INSERT_DELIVERY = insert(table_of(WebhookDelivery))
_INSERT_ATTEMPT = insert(table_of(WebhookAttempt))


@dataclass(frozen=True)
class DeliveryRecord:
    id: uuid.UUID
    message_id: str
    provider_id: str
    assignment_id: uuid.UUID | None
    event_type: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    locked_until: dt.datetime | None
    enqueued_at: dt.datetime | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    last_status_code: int | None


@dataclass(frozen=True)
class DueDelivery:
    id: uuid.UUID
    provider_id: str


@dataclass(frozen=True)
class Leased:
    """A delivery whose lease this worker just took, with what sending it needs of the row."""

    id: uuid.UUID
    message_id: str
    payload: dict[str, Any]
    provider_id: str
    attempts: int
    assignment_id: uuid.UUID | None


_DELIVERY = columns_for(WebhookDelivery, DeliveryRecord)


# --- The outbox ---------------------------------------------------------------------------------------------------


def add(session: Session, row: dict[str, Any]) -> None:
    """A delivery, written with the unit of work's other rows (one executemany within a batch)."""
    insert_row(session, _INSERT_DELIVERY, row)


def notify_relays(session: Session) -> None:
    """Wake the relays as soon as this transaction commits (PostgreSQL NOTIFY is transactional); without it
    the periodic sweep finds the work a moment later."""
    if session.get_bind().dialect.name == "postgresql":
        execute_once(session, text(f"NOTIFY {NOTIFY_CHANNEL}"), "notify")


def claim_due(session: Session, now: dt.datetime, limit: int, requeue_after_s: float) -> list[DueDelivery]:
    """Deliveries due and not in flight, marked as enqueued so concurrent sweeps do not all publish them
    (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers). One enqueued but never picked up
    (its broker message lost) is published again after `requeue_after_s`."""
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


# --- Leases and attempts (built once: they run for every webhook) -------------------------------------------------

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
_OURS = (_D.id == bindparam("delivery_id"), _D.locked_until == bindparam("lease"))
_DELIVERED = guarded_update(
    table_of(WebhookDelivery),
    DELIVERY_TRANSITIONS,
    DeliveryStatus.PENDING,
    DeliveryStatus.DELIVERED,
    *_OURS,
    delivered_at=bindparam("at"),
    next_attempt_at=None,
    locked_until=None,
    attempts=bindparam("attempts"),
    last_status_code=bindparam("code"),
)
_STILL_OURS = (
    select(_D.id)
    .where(
        _D.id.in_(bindparam("ids", expanding=True)),
        _D.status == DeliveryStatus.PENDING.value,
        _D.locked_until == bindparam("lease"),
    )
    .with_for_update()
)


def take_leases(
    session: Session, delivery_ids: list[uuid.UUID], now: dt.datetime, until: dt.datetime
) -> dict[uuid.UUID, Leased]:
    """Lease those of the deliveries still due and not in flight until `until`, in one statement."""
    rows = session.execute(_LEASE, {"ids": delivery_ids, "now": now, "until": until})
    return {row.id: Leased(*row) for row in rows}


def still_ours(session: Session, delivery_ids: list[uuid.UUID], lease: dt.datetime) -> set[uuid.UUID]:
    """Those still pending under the lease this worker set, locked until the attempts are recorded."""
    return set(session.scalars(_STILL_OURS, {"ids": delivery_ids, "lease": lease}))


def give_back(session: Session, delivery_id: uuid.UUID, lease: dt.datetime) -> None:
    """A lease given back unused: due again at once, for the next sweep."""
    session.execute(
        update(table_of(WebhookDelivery))
        .where(_D.id == delivery_id, _D.status == DeliveryStatus.PENDING.value, _D.locked_until == lease)
        .values(locked_until=None, enqueued_at=None)
    )


def add_attempt(
    session: Session,
    delivery_id: uuid.UUID,
    at: dt.datetime,
    status_code: int | None,
    latency_ms: int,
    error: str | None,
    answer: str | None = None,
) -> None:
    session.execute(
        _INSERT_ATTEMPT,
        {
            "id": uuid.uuid4(),
            "delivery_id": delivery_id,
            "attempted_at": at,
            "status_code": status_code,
            "latency_ms": latency_ms,
            "error": error,
            "answer": answer[:1024] if answer else None,
        },
    )


def delivered(
    session: Session,
    delivery_id: uuid.UUID,
    lease: dt.datetime,
    at: dt.datetime,
    attempts: int,
    code: int | None,
) -> None:
    session.execute(
        _DELIVERED, {"delivery_id": delivery_id, "lease": lease, "at": at, "attempts": attempts, "code": code}
    )


def end_under_lease(
    session: Session, delivery_id: uuid.UUID, lease: dt.datetime, target: DeliveryStatus, **values: Any
) -> None:
    """Move a pending delivery on, as the transition table allows, while the lease is still ours."""
    session.execute(
        guarded_update(
            table_of(WebhookDelivery),
            DELIVERY_TRANSITIONS,
            DeliveryStatus.PENDING,
            target,
            _D.id == delivery_id,
            _D.locked_until == lease,
            **values,
        )
    )


def retry_at(
    session: Session, delivery_id: uuid.UUID, lease: dt.datetime, next_at: dt.datetime, **values: Any
) -> None:
    """Still pending, tried again at `next_at`, while the lease is still ours."""
    session.execute(
        update(table_of(WebhookDelivery))
        .where(_D.id == delivery_id, _D.status == DeliveryStatus.PENDING.value, _D.locked_until == lease)
        .values(next_attempt_at=next_at, **values)
    )


# --- Kept deliveries ----------------------------------------------------------------------------------------------


def delivery(session: Session, delivery_id: uuid.UUID, *, for_update: bool = False) -> DeliveryRecord | None:
    query = select(*_DELIVERY).where(WebhookDelivery.id == delivery_id)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).first()
    return record_of(DeliveryRecord, row) if row is not None else None


# Routing's table, named here rather than imported: webhooks sit below routing (what a delivery is about is read,
# never written, from here).
_ASSIGNMENTS = table("assignments", column("id", Uuid()), column("status", String()))


def assignment_status(session: Session, assignment_id: uuid.UUID) -> str | None:
    """The current status of the assignment a delivery is about."""
    status: str | None = session.scalar(
        select(_ASSIGNMENTS.c.status).where(_ASSIGNMENTS.c.id == assignment_id)
    )
    return status


def send_again(session: Session, kept: DeliveryRecord, now: dt.datetime) -> None:
    """A kept delivery due again at once, from its first attempt."""
    transition(
        session,
        WebhookDelivery,
        DELIVERY_TRANSITIONS,
        kept.status,
        DeliveryStatus.PENDING,
        WebhookDelivery.id == kept.id,
        attempts=0,
        next_attempt_at=now,
        enqueued_at=None,
    )


def page_of_deliveries(
    session: Session, *, status: str | None, provider: str | None, limit: int, after: list[Any] | None
) -> Page[DeliveryRecord]:
    """Newest first."""
    query = select(*_DELIVERY)
    if status:
        query = query.where(WebhookDelivery.status == status)
    if provider:
        query = query.where(WebhookDelivery.provider_id == provider)
    keys = [WebhookDelivery.created_at, WebhookDelivery.id]
    query = keyset(query, keys, descending=True, after=after).limit(limit + 1)
    rows = [record_of(DeliveryRecord, row) for row in session.execute(query)]
    return page_of(rows, limit, lambda d: [d.created_at, d.id])
