"""The webhook retry schedule: a short outage costs seconds, not minutes (exponential from seconds, with
jitter), and the long tail still spans a day. Pure: attempts are simulated, nothing is sent."""

from __future__ import annotations

import random

import pytest

from val.settings import Settings, parse_schedule
from val.webhooks.domain import JITTER, delay_before_attempt

SCHEDULE = parse_schedule(Settings.webhook_retry_schedule)


def first_attempt_after(outage: float, jitter: float) -> float | None:
    """When the first attempt after an outage of `outage` seconds (starting with the first try) happens, every
    jitter drawn at `jitter` (+1: the latest, -1: the earliest)."""
    rng = random.Random()
    rng.uniform = lambda low, high: jitter * JITTER  # type: ignore[method-assign]
    at, attempt = 0.0, 1
    while at < outage:
        delay = delay_before_attempt(attempt + 1, SCHEDULE, rng)
        if delay is None:
            return None
        at, attempt = at + delay, attempt + 1
    return at


@pytest.mark.parametrize("outage", [1, 20, 60, 300, 3600])
@pytest.mark.parametrize("jitter", [-1, 0, 1])
def test_after_an_outage_a_webhook_arrives_within_about_the_outage_again(outage, jitter):
    arrives = first_attempt_after(outage, jitter)
    assert arrives is not None
    assert arrives - outage <= max(6.0, outage * (1 + JITTER)), "late by no more than the outage itself"


def test_a_twenty_second_outage_costs_well_under_a_minute():
    assert first_attempt_after(20, 1) <= 45


def test_the_schedule_still_tries_for_more_than_a_day_and_then_gives_up():
    total = sum(SCHEDULE[1:])
    assert total > 86_400 * 2 and SCHEDULE[-1] == 86_400
    assert delay_before_attempt(len(SCHEDULE) + 1, SCHEDULE) is None
