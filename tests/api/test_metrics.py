"""`GET /metrics` (issue 10): Prometheus text for an admin; nothing personal, no case or person ids in labels."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

from tests.api.cases import EXAMPLE_HOSTS
from tests.conftest import SECRET_BOX, auth
from val.auth.roles import Role
from val.db.session import unit_of_work
from val.webhooks.endpoints import set_endpoint


def _samples(client, key):
    response = client.get("/metrics", headers=auth(key))
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return text, found


def _intake(found, outcome, channel="api"):
    return found.get(("val_intake_referrals_total", (("channel", channel), ("outcome", outcome))), 0)


def test_an_admin_reads_intake_latency_deliveries_and_points_and_nothing_personal(
    client, make_key, referral_body, database
):
    with unit_of_work(database) as session:
        set_endpoint(
            session, "wmwa-idva", "https://idva.example.org/hooks", policy=EXAMPLE_HOSTS, box=SECRET_BOX
        )
    admin, intake = make_key(Role.ADMIN), make_key(Role.INTAKE)
    _, before = _samples(client, admin)
    created = client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake)).get_json()
    client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake))  # the same again
    client.post("/api/v1/referrals", json={"victim": {}}, headers=auth(intake))  # rejected
    text, after = _samples(client, admin)
    for outcome in ("created", "duplicate", "rejected"):
        assert _intake(after, outcome) - _intake(before, outcome) == 1, outcome
    assert any(
        name == "val_http_request_duration_seconds_count" and ("route", "/api/v1/referrals") in labels
        for name, labels in after
    )
    assert after[("val_webhook_queue_depth", (("provider", "wmwa-idva"),))] >= 1
    assert ("val_webhook_oldest_pending_seconds", (("provider", "wmwa-idva"),)) in after
    assert after[("val_compliance_points", (("status", "missed"),))] >= 2  # R3 and R4, due a year ago
    for personal in ("Quinterro", "Alexandra", "+447700900123", created["id"], created["reference"]):
        assert personal not in text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text), "no ids"


def test_only_an_admin_reads_metrics(client, make_key):
    assert client.get("/metrics").status_code == 401
    for role in (Role.COORDINATOR, Role.BOARD, Role.INTAKE):
        assert client.get("/metrics", headers=auth(make_key(role))).status_code == 403


def test_webhooks_waiting_for_an_endpoint_are_in_the_queue_depth(client, make_key, referral_body):
    """No endpoint registered: the offer's webhook waits (awaiting_endpoint), and the backlog says so."""
    admin, intake = make_key(Role.ADMIN), make_key(Role.INTAKE)
    assert client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake)).status_code == 201
    _, after = _samples(client, admin)
    assert after[("val_webhook_queue_depth", (("provider", "wmwa-idva"),))] >= 1
    assert ("val_webhook_oldest_pending_seconds", (("provider", "wmwa-idva"),)) in after
