"""Webhook delivery rules (docs/providers.md): the retry schedule with jitter and what each answer means. Pure."""

from __future__ import annotations

import random
from enum import StrEnum

from val.states import TransitionTable

# The retry schedule is a setting (webhook_retry_schedule): exponential from seconds, then the long tail in docs/providers.md.
JITTER = 0.2  # ±20%, so a provider coming back is not hit by every retry at the same instant


class WebhookEvent(StrEnum):
    """What a webhook tells a provider (docs/providers.md)."""

    OFFERED = "referral.offered"
    REMINDER = "referral.reminder"  # an offer not yet answered, before it expires
    UPDATED = "referral.updated"  # what the provider holds of a referral has changed
    WITHDRAWN = "referral.withdrawn"
    PING = "ping"  # a test event the provider asked for (POST /api/v1/provider/endpoint/test)


# The states an assignment must still be in for an event about it to be sent again: an offer or a reminder
# only while it is offered, an update only while a provider holds it. A withdrawal may always be repeated.
# (Consent refused withdraws what providers hold, so an offer that consent no longer permits is never here.)
REPLAYABLE_WHILE: dict[str, frozenset[str]] = {
    WebhookEvent.OFFERED: frozenset({"offered"}),
    WebhookEvent.REMINDER: frozenset({"offered"}),
    WebhookEvent.UPDATED: frozenset({"offered", "accepted", "in_support"}),
}


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at (retries stay pending)
    AWAITING_ENDPOINT = "awaiting_endpoint"  # the provider has no live endpoint: sent once it registers one
    DELIVERED = "delivered"
    FAILED = "failed"


DELIVERY_TRANSITIONS = TransitionTable(
    "delivery",
    DeliveryStatus,
    {
        DeliveryStatus.PENDING: {
            DeliveryStatus.DELIVERED,
            DeliveryStatus.FAILED,
            DeliveryStatus.AWAITING_ENDPOINT,
        },
        DeliveryStatus.AWAITING_ENDPOINT: {DeliveryStatus.PENDING},
        # A replay sends a kept delivery again, with its original webhook-id.
        DeliveryStatus.DELIVERED: {DeliveryStatus.PENDING},
        DeliveryStatus.FAILED: {DeliveryStatus.PENDING},
    },
)


class Verdict(StrEnum):
    DELIVERED = "delivered"
    GONE = "gone"  # 410: the provider has retired this endpoint
    RETRY = "retry"


def verdict(status_code: int | None) -> Verdict:
    """Any 2xx is delivered; 410 disables the endpoint; anything else (3xx, 4xx, 5xx, timeout, connection
    error) is tried again."""
    if status_code is not None and 200 <= status_code < 300:
        return Verdict.DELIVERED
    if status_code == 410:
        return Verdict.GONE
    return Verdict.RETRY


def delay_before_attempt(
    attempt_number: int, schedule: tuple[float, ...], rng: random.Random | None = None
) -> float | None:
    """Seconds to wait before attempt `attempt_number` (1-based), or None once the schedule is used up."""
    if attempt_number > len(schedule):
        return None
    base = schedule[attempt_number - 1]
    return base * (1 + (rng or random).uniform(-JITTER, JITTER))
