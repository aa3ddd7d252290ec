"""What became of the webhooks a worker claimed and sent: each attempt recorded with the next step (delivered,
retried on the schedule, failed, or waiting for an endpoint), and the leases of those not sent given back. Every
write is guarded by the lease the worker took, so a worker whose lease ran out changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

from val.alerts.kinds import AlertKind
from val.alerts.service import raise_alert
from val.db.base import utcnow
from val.db.session import pipelined
from val.webhooks.domain import DeliveryStatus, Verdict, delay_before_attempt, verdict
from val.webhooks.sender import SendResult
from val.webhooks.service import Claimed
from val.webhooks.store import deliveries as store
from val.webhooks.store import endpoints

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger("val.webhooks")


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
        ours.update(store.still_ours(session, [item.id for item in claimed if item.lease == lease], lease))
    if len(ours) < len(claimed):
        log.warning(
            "webhook results after the lease ran out were dropped",
            extra={"deliveries": len(claimed) - len(ours)},
        )
    return ours


def _release(session: Session, claimed: list[Claimed]) -> None:
    """Give back leases of deliveries claimed but not attempted: due again at once, for the next sweep."""
    for item in claimed:
        store.give_back(session, item.id, item.lease)


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
    store.add_attempt(
        session, claimed.id, finished, result.status_code, result.latency_ms, result.error, result.answer
    )
    values: dict[str, Any] = {
        "locked_until": None,
        "attempts": attempts,
        "last_status_code": result.status_code,
    }
    if outcome is Verdict.DELIVERED:
        store.delivered(session, claimed.id, claimed.lease, finished, attempts, result.status_code)
        return str(outcome)
    if outcome is Verdict.GONE:
        endpoints.set_endpoint(session, claimed.provider_id, endpoint_disabled_at=finished)
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
    store.retry_at(session, claimed.id, claimed.lease, finished + dt.timedelta(seconds=delay), **values)


def _set_status(session: Session, claimed: Claimed, target: DeliveryStatus, **values: Any) -> None:
    """Move a pending delivery on, as the delivery transition table allows, while the lease is still ours."""
    store.end_under_lease(session, claimed.id, claimed.lease, target, **values)


def _alert(session: Session, claimed: Claimed, kind: AlertKind, detail: str) -> None:
    # The payload names the case: no query here, where the attempts are written in one round trip.
    reference = json.loads(claimed.body).get("data", {}).get("case_reference")
    ids = {"delivery_id": claimed.id, "assignment_id": claimed.assignment_id}
    raise_alert(session, kind, detail, case_reference=reference, **ids)
