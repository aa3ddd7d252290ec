"""What happens when webhooks are delivered: the sequence a worker runs for a few of one provider's deliveries.

Three units of work by design, opened here rather than by the caller:
1. the leases commit before anything is sent, so no other worker sends the same delivery meanwhile;
2. the HTTP calls hold no transaction open (a slow provider must not hold row locks or a connection);
3. the attempts are recorded after, only for deliveries whose lease is still this worker's own: a worker
   whose lease ran out while it was sending changes nothing (another worker has the delivery now).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from val.db.session import Database, unit_of_work
from val.webhooks import attempts, service
from val.webhooks.destinations import DestinationPolicy
from val.webhooks.domain import Verdict, verdict
from val.webhooks.secret_box import SecretBox
from val.webhooks.sender import SendResult, WebhookSender

log = logging.getLogger("val.webhooks")


@dataclass(frozen=True)
class DeliveryTools:
    """What delivering needs from the process that runs it (built once per worker)."""

    lease_seconds: int
    schedule: tuple[float, ...]
    box: SecretBox
    sender: WebhookSender
    destinations: DestinationPolicy


def deliver(db: Database, delivery_ids: list[uuid.UUID], tools: DeliveryTools) -> list[str]:
    """One attempt at each of the given deliveries still due: the outcome of each one attempted, in order.

    Sending stops at the first webhook not delivered (the provider is in trouble: the rest wait for their own
    retries) and once half the lease has gone, so no lease lapses while its webhook is still unsent. Leases of
    webhooks not sent are given back in the same commit as the attempts."""
    with unit_of_work(db) as session:
        claimed = service.claim_many_for_sending(session, delivery_ids, tools.lease_seconds, tools.box)
    if not claimed:  # not due, or in flight elsewhere
        return []
    sent = _send_in_turn(claimed, tools)
    with unit_of_work(db) as session:
        outcomes = attempts.record(session, claimed, sent, tools.schedule)
    log.info(
        "webhook attempts",
        extra={"deliveries": len(delivery_ids), "sent": len(sent), "recorded": len(outcomes)},
    )
    return outcomes


def _send_in_turn(
    claimed: list[service.Claimed], tools: DeliveryTools
) -> list[tuple[service.Claimed, SendResult | None]]:
    """Each claimed delivery sent in turn (None: no live endpoint, so it waits for one)."""
    started = time.monotonic()
    sent: list[tuple[service.Claimed, SendResult | None]] = []
    for item in claimed:
        if item.url is None:
            sent.append((item, None))
            continue
        if time.monotonic() - started > tools.lease_seconds / 2:
            break
        result = service.send(item, tools.sender, tools.destinations)
        sent.append((item, result))
        if verdict(result.status_code) is not Verdict.DELIVERED:
            break
    return sent
