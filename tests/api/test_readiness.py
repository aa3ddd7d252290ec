"""/ready answers at once in every state: its checks run in the background, and it reports the last result of
each with its age. Never timed: a check held open proves the answer does not wait for it."""

from __future__ import annotations

import gc
import threading

from tests.api.readiness import checked
from tests.waiting import wait_until
from val.app import create_app
from val.http.readiness import BackgroundChecks, Reading


def test_ready_reports_the_database_and_the_broker(app, redis_server, database):
    ready = create_app(overrides={"database_url": database.url, "broker_url": redis_server.url})
    response = checked(ready.test_client())
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    assert response.get_json()["checks"] == {"database": True, "broker": True, "signing_secrets": True}
    assert all(0 <= age < 60 for age in response.get_json()["checked_seconds_ago"].values())
    # Without the broker referrals are still taken (their webhooks wait in the outbox): the node stays in.
    no_broker = create_app(overrides={"database_url": database.url, "broker_url": "redis://127.0.0.1:1/0"})
    response = checked(no_broker.test_client())
    assert response.status_code == 200 and response.get_json()["status"] == "degraded"
    assert response.get_json()["checks"]["broker"] is False
    no_database = create_app(overrides={"database_url": "postgresql://val@127.0.0.1:1/val"})
    response = checked(no_database.test_client())
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"
    for made in (ready, no_broker, no_database):
        made.extensions["val"].db.dispose()


def test_ready_answers_while_a_check_is_still_waiting_for_its_server(app, database):
    """The broker check used to run in the request and wait for its timeout (2 s) whenever the broker was down."""
    release, broker_asked = threading.Event(), threading.Event()

    def broker_that_does_not_answer() -> bool:
        broker_asked.set()
        release.wait(30)
        return True

    app.extensions["val_readiness"] = BackgroundChecks(
        {"database": lambda: True, "broker": broker_that_does_not_answer}, interval=0.05, stale_after=60
    )
    client = app.test_client()
    first = client.get("/ready").get_json()
    wait_until(broker_asked.is_set, what="the broker check to start")
    held = client.get("/ready").get_json()  # answered while the broker check is still waiting
    assert held["status"] == "degraded" and held["checks"]["broker"] is False
    assert held["checked_seconds_ago"]["broker"] is None and first["checked_seconds_ago"]["broker"] is None
    release.set()
    after = checked(client).get_json()
    assert after["status"] == "ok" and after["checks"]["broker"] is True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_older_than_the_stale_limit_counts_as_failed():
    clock, answers = Clock(), iter([True])

    def once() -> bool:
        return next(answers)  # the second run raises: a check that fails is "not ready"

    checks = BackgroundChecks({"broker": once}, interval=3600, stale_after=10, first_wait=5, clock=clock)
    assert checks.readings() == {"broker": Reading(True, 0.0)}
    clock.now += 9
    assert checks.readings() == {"broker": Reading(True, 9.0)}
    clock.now += 2
    assert checks.readings() == {"broker": Reading(False, 11.0)}


def test_the_check_threads_end_when_their_app_is_gone():
    checks = BackgroundChecks({"only-this-test": lambda: True}, interval=0.02, stale_after=1)
    assert checks.readings()["only-this-test"].ok
    assert any(t.name == "val-ready-only-this-test" for t in threading.enumerate())
    del checks
    gc.collect()
    wait_until(
        lambda: not any(t.name == "val-ready-only-this-test" for t in threading.enumerate()),
        what="the check thread to end",
    )
