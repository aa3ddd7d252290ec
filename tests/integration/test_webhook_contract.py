"""The OpenAPI document describes every webhook VAL sends (its `webhooks` section, OpenAPI 3.1), and the tests'
receivers hold what arrives to it."""

from __future__ import annotations

import json
import uuid

import pytest

from harness.webhook_contract import problems
from val.webhooks.domain import WebhookEvent

OFFER = {
    "type": "referral.offered",
    "timestamp": "2026-12-06T10:00:03Z",
    "data": {
        "assignment_id": str(uuid.uuid4()),
        "sequence": 1,
        "case_reference": "VAL-2026-000123",
        "service": "idva",
        "risk_level": "high",
        "respond_by": "2026-12-07T17:00:00Z",
    },
}


def test_every_event_is_in_the_document():
    from harness.webhook_contract import _document

    assert set(_document()["webhooks"]) == {event.value for event in WebhookEvent}


@pytest.mark.parametrize(
    ("change", "wrong"),
    [
        ({}, None),
        ({"data": {**OFFER["data"], "risk_level": None, "respond_by": None}}, None),
        ({"data": {k: v for k, v in OFFER["data"].items() if k != "sequence"}}, "sequence"),
        ({"data": {**OFFER["data"], "service": "astrology"}}, "astrology"),
        ({"type": "referral.vanished"}, "not a documented webhook"),
    ],
)
def test_a_payload_is_held_to_its_events_schema(change, wrong):
    found = problems(json.dumps({**OFFER, **change}).encode())
    assert (found == []) if wrong is None else any(wrong in problem for problem in found), found
