"""What became of the webhooks a worker claimed and sent: each attempt recorded with the next step (delivered,
retried on the schedule, failed, or waiting for an endpoint), and the leases of those not sent given back. Every
write is guarded by the lease the worker took, so a worker whose lease ran out changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from val.alerts.kinds import AlertKind
from val.alerts.service import raise_alert
from val.db.base import table_of, utcnow
from val.db.session import pipelined
from val.db.transitions import guarded_update
from val.providers.models import Provider
from val.webhooks.domain import DELIVERY_TRANSITIONS, DeliveryStatus, Verdict, delay_before_attempt, verdict
from val.webhooks.models import WebhookAttempt, WebhookDelivery
from val.webhooks.sender import SendResult
from val.webhooks.service import Claimed

log = logging.getLogger("val.webhooks")

_D = table_of(WebhookDelivery).c
_P = table_of(Provider).c
_INSERT_ATTEMPT = insert(table_of(WebhookAttempt))

# The common ending of an attempt, built once. Every ending is guarded by the lease this worker took: a worker
# whose lease ran out while it was sending (another worker has since taken the delivery, and may have delivered
# it) changes nothing.
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


def record(
    session: Session,
    claimed: list[Claimed],
    sent: list[tuple[Claimed, SendResult | None]],
    schedule: tuple[float, ...],
) -> list[str]:
    """Record what became of the deliveries this worker claimed: each one sent (None: it had no live endpoint
    and now waits for one), and the lease given back of each one not sent. Only for deliveries whose lease is
    still this worker's own; the rest were taken by another worker after their lease ran out, and a late
    result must change nothing (no attempt, no state, no alert). The outcome of each one recorded."""
    ours = _still_ours(session, claimed)
    done = {item.id for item, _ in sent}
    with pipelined(session):  # writes only, all of them guarded by the lease: one round trip
        outcomes = [
            _await_endpoint(session, item)
            if result is None
            else _record_attempt(session, item, result, schedule)
            for item, result in sent
            if item.id in ours
        ]
        _release(session, [item for item in claimed if item.id not in done and item.id in ours])
    return outcomes


def _still_ours(session: Session, claimed: list[Claimed]) -> set[uuid.UUID]:
    """Those whose lease this worker still holds (pending, `locked_until` as it set it), locked until the
    attempts are recorded."""
    ours: set[uuid.UUID] = set()
    for lease in {item.lease for item in claimed}:
        ids = [item.id for item in claimed if item.lease == lease]
        ours.update(session.scalars(_STILL_OURS, {"ids": ids, "lease": lease}))
    if len(ours) < len(claimed):
        log.warning(
            "webhook results after the lease ran out were dropped",
            extra={"deliveries": len(claimed) - len(ours)},
        )
    return ours


def _release(session: Session, claimed: list[Claimed]) -> None:
    """Give back leases of deliveries claimed but not attempted: due again at once, for the next sweep."""
    for item in claimed:
        session.execute(
            update(table_of(WebhookDelivery))
            .where(_D.id == item.id, _D.status == DeliveryStatus.PENDING.value, _D.locked_until == item.lease)
            .values(locked_until=None, enqueued_at=None)
        )


def _await_endpoint(session: Session, claimed: Claimed) -> str:
    """The provider lost its endpoint after the delivery was recorded (a 410, say): it waits for the next one
    the provider registers, and the sweep's alert says so."""
    _set_status(session, claimed, DeliveryStatus.AWAITING_ENDPOINT, locked_until=None, next_attempt_at=None)
    return "awaiting_endpoint"


def _record_attempt(
    session: Session, claimed: Claimed, result: SendResult, schedule: tuple[float, ...]
) -> str:
    """Record one attempt and what follows it: delivered, the endpoint disabled (410), the next try on the
    schedule, or failed once the schedule is used up."""
    finished = utcnow()
    attempts = claimed.attempts + 1
    outcome = verdict(result.status_code)
    session.execute(
        _INSERT_ATTEMPT,
        {
            "id": uuid.uuid4(),
            "delivery_id": claimed.id,
            "attempted_at": finished,
            "status_code": result.status_code,
            "latency_ms": result.latency_ms,
            "error": result.error,
        },
    )
    values: dict[str, Any] = {
        "locked_until": None,
        "attempts": attempts,
        "last_status_code": result.status_code,
    }
    if outcome is Verdict.DELIVERED:
        session.execute(
            _DELIVERED,
            {
                "delivery_id": claimed.id,
                "lease": claimed.lease,
                "at": finished,
                "attempts": attempts,
                "code": result.status_code,
            },
        )
        return str(outcome)
    if outcome is Verdict.GONE:
        session.execute(
            update(table_of(Provider))
            .where(_P.id == claimed.provider_id)
            .values(endpoint_disabled_at=finished)
        )
        gone = "The provider answered 410 Gone; endpoint disabled."
        _alert(session, claimed, AlertKind.WEBHOOK_ENDPOINT_GONE, gone)
        _set_status(session, claimed, DeliveryStatus.FAILED, next_attempt_at=None, **values)
        return str(outcome)
    _retry_or_fail(session, claimed, schedule, finished, values)
    return str(outcome)


def _retry_or_fail(
    session: Session,
    claimed: Claimed,
    schedule: tuple[float, ...],
    finished: dt.datetime,
    values: dict[str, Any],
) -> None:
    """Not delivered: the next try on the schedule, or failed (and a coordinator told) once it is used up."""
    attempts = values["attempts"]
    delay = delay_before_attempt(attempts + 1, schedule)
    if delay is None:
        _alert(session, claimed, AlertKind.WEBHOOK_FAILED, f"Not delivered after {attempts} attempts.")
        _set_status(session, claimed, DeliveryStatus.FAILED, next_attempt_at=None, **values)
        return
    session.execute(
        update(table_of(WebhookDelivery))
        .where(
            _D.id == claimed.id, _D.status == DeliveryStatus.PENDING.value, _D.locked_until == claimed.lease
        )
        .values(next_attempt_at=finished + dt.timedelta(seconds=delay), **values)
    )


def _set_status(session: Session, claimed: Claimed, target: DeliveryStatus, **values: Any) -> None:
    """Move a pending delivery on, as the delivery transition table allows, while the lease is still ours."""
    session.execute(
        guarded_update(
            table_of(WebhookDelivery),
            DELIVERY_TRANSITIONS,
            DeliveryStatus.PENDING,
            target,
            _D.id == claimed.id,
            _D.locked_until == claimed.lease,
            **values,
        )
    )


def _alert(session: Session, claimed: Claimed, kind: AlertKind, detail: str) -> None:
    # The payload names the case: no query here, where the attempts are written in one round trip.
    reference = json.loads(claimed.body).get("data", {}).get("case_reference")
    ids = {"delivery_id": claimed.id, "assignment_id": claimed.assignment_id}
    raise_alert(session, kind, detail, case_reference=reference, **ids)
