"""Messages to victims through a real Celery worker and beat on Redis: the message committed with the contact
attempt is sent by the beat's `val.messages.send_due` to the local GOV.UK Notify, whose receipt reaches VAL over
HTTP; a worker stopped while Notify is down loses nothing."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from harness.celery_worker import start_worker, stop_worker
from harness.notify import FakeNotify
from tests.conftest import auth, now_iso
from tests.waiting import wait_until
from val.app import create_app
from val.auth.roles import Role
from val.settings import PACKAGED_CONFIG_DIR

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)
TOKEN = "worker-receipts-token-" + "y" * 32


@pytest.fixture
def all_day_config(tmp_path) -> Path:
    """The shipped configuration, with messages sent at any hour: the test runs at night too."""
    config = tmp_path / "config"
    shutil.copytree(PACKAGED_CONFIG_DIR, config)
    messages = config / "messages.toml"
    messages.write_text(messages.read_text().replace('hours = "08:00-21:00"', 'hours = "00:00-23:59"'))
    return config


def test_the_beat_sends_the_information_pack_and_the_receipt_comes_back(
    database, redis_server, tmp_path, all_day_config, make_key, referral_body
):
    notify = FakeNotify().start()
    settings = {
        "database_url": database.url,
        "config_dir": str(all_day_config),
        "notify_api_key": notify.api_key,
        "notify_base_url": notify.base_url,
        "notify_receipts_token": TOKEN,
    }
    app = create_app(overrides=settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    notify.callback_url, notify.callback_token = (
        f"http://127.0.0.1:{server.server_port}/api/v1/notify/receipts",
        TOKEN,
    )
    env = {f"VAL_{k.upper()}": v for k, v in settings.items()}
    env.update(
        VAL_BROKER_URL=redis_server.url,
        VAL_MESSAGE_SWEEP_SECONDS="0.5",
        VAL_MESSAGE_RETRY_SCHEDULE="0,0.5,0.5,0.5,0.5,0.5",
    )
    client, coordinator = app.test_client(), make_key(Role.COORDINATOR)
    body = referral_body(
        **{
            "reported_at": now_iso(5),
            "offence.occurred_at": now_iso(60),
            "consent.recorded_at": now_iso(5),
            "victim.contact.safe_times": None,
            "victim.contact.preferred_channel": "sms",
        }
    )
    case_id = client.post("/api/v1/referrals", json=body, headers=auth(make_key(Role.INTAKE))).get_json()[
        "id"
    ]

    def messages():
        return client.get(f"/api/v1/cases/{case_id}/messages", headers=auth(coordinator)).get_json()["items"]

    notify.script = [503] * 3  # Notify is down when the worker starts
    worker = start_worker(tmp_path / "worker", env=env, name="messages")
    try:
        attempt = {"at": now_iso(0), "channel": "phone", "outcome": "reached"}
        assert (
            client.post(
                f"/api/v1/cases/{case_id}/contact-attempts", json=attempt, headers=auth(coordinator)
            ).status_code
            == 201
        )
        wait_until(lambda: messages()[0]["tries"] >= 1, what="a first try while Notify is down", timeout=30)
        stop_worker(worker)  # stopped mid-retry: the message waits in the database
        worker = start_worker(tmp_path / "worker2", env=env, name="messages2")
        wait_until(
            lambda: messages()[0]["status"] == "delivered",
            what="delivered after Notify came back",
            timeout=40,
        )
        assert len(notify.sent) == 1, "sent once"
    finally:
        stop_worker(worker)
        server.shutdown()
        notify.stop()
        app.extensions["val"].db.dispose()
