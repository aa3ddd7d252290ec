"""Messages to victims against a local GOV.UK Notify (harness/notify.py) that checks requests as Notify does and
calls VAL's receipts callback, with VAL served over real HTTP so the callback arrives as Notify's would."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from harness.notify import FakeNotify
from tests.conftest import auth, now_iso
from tests.contract import ContractClient
from val.app import create_app
from val.auth.roles import Role
from val.db.session import Database
from val.messages import sending
from val.messages.safe_windows import Hours
from workers.tasks import message_tools_for

RECEIPTS_TOKEN = "receipts-token-" + "x" * 32
ALL_DAY = Hours(
    dt.time(0), dt.time(23, 59, 59, 999999)
)  # the tests run at any hour; the hours are tested alone


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    fake = FakeNotify().start()
    yield fake
    fake.stop()


@pytest.fixture
def messaging_app(database: Database, notify: FakeNotify):
    app = create_app(
        overrides={
            "database_url": database.url,
            "notify_api_key": notify.api_key,
            "notify_base_url": notify.base_url,
            "notify_receipts_token": RECEIPTS_TOKEN,
            "message_retry_schedule": "0,0,0",
            "public_base_url": "https://val.example.police.uk",
        }
    )
    services = app.extensions["val"]
    all_day = dataclasses.replace(services.rulebook.messages, hours=ALL_DAY)
    services = app.extensions["val"] = dataclasses.replace(
        services, rulebook=dataclasses.replace(services.rulebook, messages=all_day)
    )
    app.test_client_class = ContractClient
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    notify.callback_url = f"http://127.0.0.1:{server.server_port}/api/v1/notify/receipts"
    notify.callback_token = RECEIPTS_TOKEN
    yield app
    server.shutdown()
    services.db.dispose()


@pytest.fixture
def messaging_client(messaging_app):
    return messaging_app.test_client()


@pytest.fixture
def send_due(messaging_app, database):
    """What the worker's `val.messages.send_due` task does, once."""
    services = messaging_app.extensions["val"]
    tools = message_tools_for(services.settings, services.rulebook)
    assert tools is not None

    def run() -> list[str]:
        return sending.send_due(database, tools)

    return run


@pytest.fixture
def day(messaging_client, make_key, referral_body):
    intake, coordinator = make_key(Role.INTAKE), make_key(Role.COORDINATOR, name="alice.smith")
    counter = iter(range(1, 1000))

    def refer(**overrides):
        body = referral_body(
            **{
                "reported_at": now_iso(5),
                "offence.occurred_at": now_iso(60),
                "consent.recorded_at": now_iso(5),
                "source.reference": f"MSG/{next(counter)}",
                "victim.contact.safe_times": None,
                "victim.contact.preferred_channel": "sms",
                **overrides,
            }
        )
        answer = messaging_client.post("/api/v1/referrals", json=body, headers=auth(intake))
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["id"]

    def attempt(case_id, outcome="reached"):
        body = {"at": now_iso(0), "channel": "phone", "outcome": outcome}
        answer = messaging_client.post(
            f"/api/v1/cases/{case_id}/contact-attempts", json=body, headers=auth(coordinator)
        )
        assert answer.status_code == 201, answer.get_json()

    def messages(case_id):
        answer = messaging_client.get(f"/api/v1/cases/{case_id}/messages", headers=auth(coordinator))
        assert answer.status_code == 200
        return answer.get_json()["items"]

    def send(case_id, template="information_pack", channel="sms"):
        return messaging_client.post(
            f"/api/v1/cases/{case_id}/messages",
            json={"template": template, "channel": channel},
            headers=auth(coordinator),
        )

    class Day:
        pass

    d = Day()
    d.refer, d.attempt, d.messages, d.send, d.coordinator = refer, attempt, messages, send, coordinator
    return d
