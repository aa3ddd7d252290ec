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
from tests.contract import ContractClient
from val.app import create_app
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
