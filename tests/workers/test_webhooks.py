"""Referral webhooks end to end, with a real Redis broker and real Celery workers (no eager mode): signed,
thin, retried from the database's schedule, delivered exactly once as far as the database is concerned
even when a worker is killed or the broker loses everything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from sqlalchemy import select, text
from standardwebhooks import Webhook

from harness.celery_worker import start_worker as start
from harness.celery_worker import stop_worker as stop
from harness.receiver import Receiver
from tests.conftest import SECRET_BOX, auth
from tests.waiting import wait_until
from val.auth.roles import Role
from val.db.session import unit_of_work
from val.providers.models import Provider
from val.webhooks.destinations import DestinationPolicy
from val.webhooks.endpoints import set_endpoint
from val.webhooks.models import WebhookAttempt, WebhookDelivery
from val.webhooks.outbox import NOTIFY_CHANNEL

ROOT = Path(__file__).parents[2]
# The test receiver listens on loopback, which only the embedded mode allows unless a host is allow-listed.
LOCAL_RECEIVER = DestinationPolicy(allow_http=True, allow_loopback=True)
pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)


WORKER_LOGS: list[Path] = []


def start_worker(database, redis_server, scratch: Path, name: str):
    WORKER_LOGS.append(scratch / "worker.log")
    return start(
        scratch,
        name=name,
        concurrency=2,
        env={
            "VAL_DATABASE_URL": database.url,
            "VAL_BROKER_URL": redis_server.url,
            "VAL_ALLOW_HTTP_WEBHOOKS": "true",
            "VAL_WEBHOOK_HOST_ALLOWLIST": "127.0.0.1",
            "VAL_WEBHOOK_RETRY_SCHEDULE": "0,0.3,0.3,0.3",
            "VAL_WEBHOOK_LEASE_SECONDS": "2",
            "VAL_WEBHOOK_SWEEP_SECONDS": "0.5",
        },
    )


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def idva_secret(database, receiver):
    with unit_of_work(database) as session:
        return set_endpoint(session, "wmwa-idva", receiver.url, policy=LOCAL_RECEIVER, box=SECRET_BOX)


@pytest.fixture
def intake(client, make_key, referral_body):
    key = make_key(Role.INTAKE)

    def post(reference: str):
        response = client.post(
            "/api/v1/referrals", json=referral_body(**{"source.reference": reference}), headers=auth(key)
        )
        assert response.status_code == 201
        return response.get_json()

    return post


def deliveries(database) -> list[WebhookDelivery]:
    """The deliveries to be sent: those to providers with an endpoint (the rest wait for one)."""
    with unit_of_work(database) as session:
        return list(
            session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.status != "awaiting_endpoint")
                .order_by(WebhookDelivery.created_at)
            )
        )


def wait_delivered(database, count: int, timeout: float = 40) -> list[WebhookDelivery]:
    def delivered() -> list[WebhookDelivery]:
        found = deliveries(database)
        return found if len(found) >= count and all(d.status == "delivered" for d in found) else []

    try:
        return wait_until(delivered, what=f"{count} deliveries", timeout=timeout)
    except AssertionError as exc:
        states = [(d.status, d.attempts) for d in deliveries(database)]
        raise AssertionError(f"{exc}: {states}\n{worker_logs()}") from None


def worker_logs() -> str:
    """The tail of every worker's log, for a failure message."""
    return "\n".join(f"--- {path}\n{path.read_text()[-1500:]}" for path in WORKER_LOGS if path.exists())


def test_a_referral_reaches_the_provider_as_a_signed_thin_webhook(
    database, redis_server, receiver, idva_secret, intake, scratch_dir
):
    worker = start_worker(database, redis_server, scratch_dir / "wh-1", "w1")
    try:
        case = intake("WH/1")
        try:
            arrived = receiver.wait_for(1)[0]
        except AssertionError as exc:
            raise AssertionError(  # noqa: B904 — the original is in the message
                f"{exc}\n{[(d.status, d.attempts) for d in deliveries(database)]}\n{worker_logs()}"
            )
        # The attempt is recorded after the provider answers: wait for it while the worker still runs.
        delivered = wait_delivered(database, 1)
    finally:
        stop(worker)
    payload = Webhook(idva_secret).verify(arrived.body, arrived.headers)
    idva = next(r for r in case["routes"] if r["service"] == "idva")
    assert payload["type"] == "referral.offered"
    assert payload["data"] == {
        "assignment_id": idva["id"],
        "sequence": 1,
        "case_reference": case["reference"],
        "service": "idva",
        "risk_level": "high",
        "respond_by": idva["respond_by"].replace("+00:00", "Z"),
    }
    body = arrived.body.decode()
    for personal in ("Alexandra", "Quinterro", "1992-03-01", "WR1", "+4477", "Assault"):
        assert personal not in body
    assert arrived.headers["webhook-id"].startswith("msg_")
    assert arrived.headers["user-agent"].startswith("VAL-Webhooks/"), "never python-requests"
    assert delivered[0].attempts == 1


def test_two_failures_then_success_is_delivered_on_the_third_attempt_with_one_webhook_id(
    database, redis_server, receiver, idva_secret, intake, scratch_dir
):
    receiver.script = [500, 500, 200]
    worker = start_worker(database, redis_server, scratch_dir / "wh-2", "w2")
    try:
        intake("WH/2")
        arrived = receiver.wait_for(3)
        delivered = wait_delivered(database, 1)
    finally:
        stop(worker)
    assert len({r.headers["webhook-id"] for r in arrived}) == 1
    assert delivered[0].attempts == 3 and delivered[0].last_status_code == 200
    with unit_of_work(database) as session:
        codes = [
            a.status_code
            for a in session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.attempted_at))
        ]
    assert codes == [500, 500, 200]
    for each in arrived:
        Webhook(idva_secret).verify(each.body, each.headers)


def test_a_worker_killed_mid_delivery_still_ends_delivered_exactly_once(
    database, redis_server, receiver, idva_secret, intake, scratch_dir
):
    receiver.delay_first = 6  # the first attempt hangs at the provider while we kill the worker
    first = start_worker(database, redis_server, scratch_dir / "wh-3a", "w3a")
    intake("WH/3")
    receiver.wait_for(1)
    stop(first, signal.SIGKILL)
    second = start_worker(database, redis_server, scratch_dir / "wh-3b", "w3b")
    try:
        delivered = wait_delivered(database, 1, timeout=60)
    finally:
        stop(second)
    assert len(delivered) == 1 and delivered[0].status == "delivered"
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert ids == {delivered[0].message_id}, "at least once, but never a second id for the same event"


def publish_due_deliveries_once(database, redis_server) -> int:
    """What the sweep does, run once from outside any worker: due deliveries go onto their provider's queue."""
    published = subprocess.run(
        [
            sys.executable,
            "-c",
            "import workers.app; from workers.tasks import publish_due_deliveries; print(publish_due_deliveries())",
        ],
        env={**os.environ, "VAL_DATABASE_URL": database.url, "VAL_BROKER_URL": redis_server.url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(published.stdout.strip().splitlines()[-1])


def test_a_broker_restarted_empty_loses_nothing(
    database, redis_server, receiver, idva_secret, intake, scratch_dir
):
    worker = start_worker(database, redis_server, scratch_dir / "wh-4a", "w4a")
    try:
        intake("WH/4a")
        wait_delivered(database, 1)
    finally:
        stop(worker)
    intake("WH/4b")  # committed while no worker runs
    # The delivery is really in Redis, on the provider's queue, and marked as enqueued in the database ...
    assert publish_due_deliveries_once(database, redis_server) == 1
    broker = redis.Redis.from_url(redis_server.url)
    assert broker.llen("provider.wmwa-idva") == 1
    broker.close()
    # ... when Redis loses everything.
    redis_server.restart_empty()
    broker = redis.Redis.from_url(redis_server.url)
    assert broker.llen("provider.wmwa-idva") == 0
    broker.close()
    worker = start_worker(database, redis_server, scratch_dir / "wh-4b", "w4b")
    try:
        delivered = wait_delivered(database, 2)
    finally:
        stop(worker)
    assert len({d.message_id for d in delivered}) == 2
    assert {r.headers["webhook-id"] for r in receiver.received} == {d.message_id for d in delivered}


def test_410_gone_disables_the_endpoint_and_alerts(
    database, redis_server, receiver, idva_secret, intake, scratch_dir, client, make_key
):
    receiver.script = [410]
    worker = start_worker(database, redis_server, scratch_dir / "wh-5", "w5")
    try:
        case = intake("WH/5")
        receiver.wait_for(1)
        wait_until(
            lambda: deliveries(database)[0].status == "failed", what="the delivery to fail", timeout=20
        )
    finally:
        stop(worker)
    with unit_of_work(database) as session:
        assert session.get(Provider, "wmwa-idva").endpoint_disabled_at is not None
    coordinator = make_key(Role.COORDINATOR)
    alerts = client.get("/api/v1/alerts", headers=auth(coordinator)).get_json()["items"]
    assert "webhook_endpoint_gone" in [a["kind"] for a in alerts]
    gone = next(a for a in alerts if a["kind"] == "webhook_endpoint_gone")
    assert gone["case_reference"] == case["reference"]
    failed = client.get("/api/v1/webhook-deliveries?status=failed", headers=auth(coordinator)).get_json()[
        "items"
    ]
    assert len(failed) == 1 and failed[0]["attempts"] == 1
    assert json.dumps(failed).count("Alexandra") == 0


def test_an_endpoint_that_is_no_longer_allowed_is_refused_before_any_connection(
    database, redis_server, receiver, intake, scratch_dir
):
    # Registered while loopback was allowed; the workers run in production mode with no allow-list, so the
    # endpoint now resolves somewhere VAL must not send to.
    with unit_of_work(database) as session:
        set_endpoint(session, "wmwa-idva", receiver.url, policy=LOCAL_RECEIVER, box=SECRET_BOX)
    worker = start(
        scratch_dir / "wh-6",
        name="w6",
        concurrency=1,
        env={
            "VAL_DATABASE_URL": database.url,
            "VAL_BROKER_URL": redis_server.url,
            "VAL_ALLOW_HTTP_WEBHOOKS": "true",
            "VAL_WEBHOOK_RETRY_SCHEDULE": "0",
            "VAL_WEBHOOK_SWEEP_SECONDS": "0.5",
        },
    )
    try:
        intake("WH/6")
        wait_until(lambda: deliveries(database)[0].status == "failed", what="the refused delivery to fail")
    finally:
        stop(worker)
    assert receiver.received == [], "no packet reached the refused destination"
    with unit_of_work(database) as session:
        attempts = list(session.scalars(select(WebhookAttempt)))
    assert [(a.status_code, a.error) for a in attempts] == [(None, "destination_refused")]
    assert deliveries(database)[0].status == "failed"


def test_a_task_of_several_deliveries_stops_at_the_first_not_delivered_and_gives_the_rest_back(
    database, redis_server, receiver, idva_secret, intake
):
    # Run as a worker runs it, without a worker: each delivery is leased, the first is sent and delivered, the
    # second is refused (500: retried on its own schedule), and the last two are never attempted: their
    # leases are given back so the next sweep publishes them at once.
    receiver.script = [200, 500]
    for n in range(4):
        intake(f"MANY/{n}")
    ids = [str(d.id) for d in deliveries(database)]
    ran = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, workers.app; from workers.tasks import deliver_webhooks; "
            "print(deliver_webhooks(sys.argv[1:]))",
            *ids,
        ],
        env={
            **os.environ,
            "VAL_DATABASE_URL": database.url,
            "VAL_BROKER_URL": redis_server.url,
            "VAL_ALLOW_HTTP_WEBHOOKS": "true",
            "VAL_WEBHOOK_HOST_ALLOWLIST": "127.0.0.1",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.strip().splitlines()[-1] == "['delivered', 'retry']"
    assert len(receiver.received) == 2
    by_id = {str(d.id): d for d in deliveries(database)}
    first, second, *rest = (by_id[i] for i in ids)
    assert (first.status, first.attempts) == ("delivered", 1)
    assert (second.status, second.attempts, second.locked_until) == ("pending", 1, None)
    assert all(
        (d.status, d.attempts, d.locked_until, d.enqueued_at) == ("pending", 0, None, None) for d in rest
    )


def test_a_sweep_that_finds_a_backlog_queues_it_apart_from_new_referrals(
    database, redis_server, receiver, idva_secret, intake
):
    for n in range(12):
        intake(f"BACKLOG/{n}")
    broker = redis.Redis.from_url(redis_server.url)
    broker.flushdb()
    assert publish_due_deliveries_once(database, redis_server) == 12
    assert (broker.llen("provider.wmwa-idva.backlog"), broker.llen("provider.wmwa-idva")) == (2, 0)
    intake("BACKLOG/new")
    assert publish_due_deliveries_once(database, redis_server) == 1
    assert (broker.llen("provider.wmwa-idva.backlog"), broker.llen("provider.wmwa-idva")) == (2, 1)
    broker.close()


def test_a_backlog_the_listener_finds_is_published_and_delivered_without_any_beat(
    database, redis_server, receiver, idva_secret, intake, scratch_dir
):
    """On PostgreSQL the worker's listener publishes what each commit made due; a backlog goes through its
    own publishing thread, so the listener is free for the next referral. No beat runs here: every webhook
    below reaches the provider only through the listener and that thread."""
    from val.webhooks.outbox import add_delivery

    worker = start(
        scratch_dir / "listener",
        name="listener",
        concurrency=2,
        beat=False,
        env={
            "VAL_DATABASE_URL": database.url,
            "VAL_BROKER_URL": redis_server.url,
            "VAL_ALLOW_HTTP_WEBHOOKS": "true",
            "VAL_WEBHOOK_HOST_ALLOWLIST": "127.0.0.1",
        },
    )
    WORKER_LOGS.append(scratch_dir / "listener" / "worker.log")
    try:
        wait_until(lambda: _listeners(database), what="the worker's listener to LISTEN")
        with unit_of_work(database) as session:
            idva = session.get(Provider, "wmwa-idva")
            for n in range(25):
                add_delivery(session, idva, "referral.offered", {"assignment_id": f"backlog-{n}"}, None)
        intake("LISTENER/new")
        delivered = wait_delivered(database, 26)
    finally:
        stop(worker)
    assert len(delivered) == 26 and all(d.attempts == 1 for d in delivered)


def _listeners(database) -> int:
    """Connections whose last statement was a LISTEN on the deliveries channel (PostgreSQL)."""
    with unit_of_work(database) as session:
        return session.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE query = :listen"),
            {"listen": f"LISTEN {NOTIFY_CHANNEL}"},
        )
