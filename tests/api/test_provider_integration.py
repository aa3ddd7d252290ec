"""A provider runs its own integration with its key: endpoint, secret, a test event, its deliveries and their
attempts, replays, and the endpoint's health; endpoints failing for days are disabled and announced when they
work again (docs/providers.md)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, update

from tests.conftest import auth
from tests.contract import ContractClient
from val.alerts.models import Alert
from val.app import create_app
from val.auth.roles import Role
from val.db.base import utcnow
from val.db.session import unit_of_work
from val.webhooks.endpoint_health import watch_endpoints
from val.webhooks.models import WebhookDelivery
from val.webhooks.store.deliveries import add_attempt

PROVIDER_API = "/api/v1/provider"
HOOK = "https://idva.example.org/hooks/val"


@pytest.fixture
def app(database):
    # The example provider's host is allowed without a lookup: tests never resolve a name.
    app = create_app(overrides={"database_url": database.url, "webhook_host_allowlist": "idva.example.org"})
    app.test_client_class = ContractClient
    yield app
    app.extensions["val"].db.dispose()


@pytest.fixture
def idva(make_key):
    return make_key(Role.PROVIDER, provider_id="wmwa-idva")


def _attempt(database, delivery_id, *, days_ago: float, status: int | None, answer: str | None = None):
    with unit_of_work(database) as session:
        at = utcnow() - dt.timedelta(days=days_ago)
        add_attempt(session, delivery_id, at, status, 120, None if status else "timeout", answer)


def test_a_provider_registers_its_endpoint_rotates_its_secret_and_sends_itself_a_test_event(
    client, idva, make_key
):
    before = client.get(f"{PROVIDER_API}/endpoint", headers=auth(idva)).get_json()
    assert before["url"] is None and before["health"]["attempts"] == 0
    refused = client.put(
        f"{PROVIDER_API}/endpoint", json={"url": "https://169.254.169.254/"}, headers=auth(idva)
    )
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "url"
    plain = client.put(f"{PROVIDER_API}/endpoint", json={"url": "https://a%62c.example/"}, headers=auth(idva))
    assert plain.status_code == 422
    registered = client.put(f"{PROVIDER_API}/endpoint", json={"url": HOOK}, headers=auth(idva))
    assert registered.status_code == 200 and registered.get_json()["secret"].startswith("whsec_")
    rotated = client.post(f"{PROVIDER_API}/endpoint/rotate-secret", headers=auth(idva)).get_json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != registered.get_json()["secret"]
    shown = client.get(f"{PROVIDER_API}/endpoint", headers=auth(idva)).get_json()
    assert shown["url"] == HOOK and shown["previous_secret_valid_until"] is not None
    test = client.post(f"{PROVIDER_API}/endpoint/test", headers=auth(idva))
    assert test.status_code == 202 and test.get_json()["event_type"] == "ping"
    mine = client.get(f"{PROVIDER_API}/deliveries", headers=auth(idva)).get_json()["items"]
    assert [(d["event_type"], d["status"]) for d in mine] == [("ping", "pending")]
    other = make_key(Role.PROVIDER, provider_id="axis-isva")
    assert client.get(f"{PROVIDER_API}/deliveries", headers=auth(other)).get_json()["items"] == []
    stranger = client.post(f"{PROVIDER_API}/deliveries/{mine[0]['id']}/replay", headers=auth(other))
    assert stranger.status_code == 404, "another provider's delivery is as good as absent"
    assert client.get(f"{PROVIDER_API}/endpoint", headers=auth(make_key(Role.COORDINATOR))).status_code == 403


def test_deliveries_show_every_attempt_with_the_start_of_the_answer_and_the_health_adds_them_up(
    client, idva, database
):
    client.put(f"{PROVIDER_API}/endpoint", json={"url": HOOK}, headers=auth(idva))
    ping = client.post(f"{PROVIDER_API}/endpoint/test", headers=auth(idva)).get_json()
    delivery_id = uuid.UUID(ping["id"])
    _attempt(database, delivery_id, days_ago=0.02, status=500, answer="upstream broke " + "x" * 2000)
    _attempt(database, delivery_id, days_ago=0.01, status=200, answer="ok")
    with unit_of_work(database) as session:
        session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(status="failed")
        )
    listed = client.get(f"{PROVIDER_API}/deliveries", headers=auth(idva)).get_json()["items"][0]
    assert [(a["status_code"], a["answer"][:15]) for a in listed["attempts"]] == [
        (500, "upstream broke "),
        (200, "ok"),
    ]
    assert len(listed["attempts"][0]["answer"]) == 1024, "the first kilobyte only"
    health = client.get(f"{PROVIDER_API}/endpoint", headers=auth(idva)).get_json()["health"]
    assert health["attempts"] == 2 and health["success_rate"] == 0.5
    assert health["last_success_at"] and health["failing_since"] is None
    replayed = client.post(f"{PROVIDER_API}/deliveries/{delivery_id}/replay", headers=auth(idva))
    assert replayed.status_code == 202 and replayed.get_json()["status"] == "pending"


def test_an_endpoint_failing_for_days_is_disabled_and_announced_when_it_works_again(client, idva, database):
    client.put(f"{PROVIDER_API}/endpoint", json={"url": HOOK}, headers=auth(idva))
    ping = uuid.UUID(client.post(f"{PROVIDER_API}/endpoint/test", headers=auth(idva)).get_json()["id"])
    _attempt(database, ping, days_ago=8, status=200)
    for days_ago in (6, 4, 1):
        _attempt(database, ping, days_ago=days_ago, status=503)
    with unit_of_work(database) as session:
        assert watch_endpoints(session, dt.timedelta(days=7), utcnow()) == (0, 0), "failing 6 days: not yet"
        assert watch_endpoints(session, dt.timedelta(days=5), utcnow()) == (1, 0)
    shown = client.get(f"{PROVIDER_API}/endpoint", headers=auth(idva)).get_json()
    assert shown["disabled_at"] is not None and shown["health"]["failing_since"] is not None
    client.put(f"{PROVIDER_API}/endpoint", json={"url": HOOK}, headers=auth(idva))  # registered again
    assert client.get(f"{PROVIDER_API}/endpoint", headers=auth(idva)).get_json()["disabled_at"] is None
    _attempt(database, ping, days_ago=0, status=204)
    with unit_of_work(database) as session:
        assert watch_endpoints(session, dt.timedelta(days=5), utcnow()) == (0, 1)
        assert watch_endpoints(session, dt.timedelta(days=5), utcnow()) == (0, 0), "announced once"
        kinds = [
            (kind, resolved is not None)
            for kind, resolved in session.execute(
                select(Alert.kind, Alert.resolved_at).order_by(Alert.created_at)
            )
        ]
    assert ("webhook_endpoint_disabled", True) in kinds and ("webhook_endpoint_recovered", False) in kinds
