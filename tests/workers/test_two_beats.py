"""Issue 10: a second beat started by mistake does no double work. Two sweeps run at the same moment publish
each due delivery once between them (FOR UPDATE SKIP LOCKED, then marked enqueued), and two sweeps of overdue
points change each point once."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from tests.workers.test_webhooks import LOCAL_RECEIVER, SECRET_BOX, intake, receiver  # noqa: F401
from val.db.session import unit_of_work
from val.webhooks.endpoints import set_endpoint

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)
SWEEP = (
    "import workers.app; from workers.tasks import publish_due_deliveries, sweep_overdue_points; "
    "print(publish_due_deliveries(), sweep_overdue_points())"
)


def _sweep(database, redis_server) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", SWEEP],
        env={**os.environ, "VAL_DATABASE_URL": database.url, "VAL_BROKER_URL": redis_server.url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    published, missed = done.stdout.strip().splitlines()[-1].split()
    return int(published), int(missed)


def _delivery_ids(message: bytes) -> list[str]:
    """The delivery ids a queued `val.webhooks.deliver_many` message carries (Celery's message protocol 2:
    a base64 body of [args, kwargs, embed])."""
    envelope = json.loads(message)
    assert envelope["headers"]["task"] == "val.webhooks.deliver_many"
    args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
    return args[0]


def test_two_sweeps_at_once_publish_each_delivery_once(database, redis_server, receiver, intake):  # noqa: F811
    with unit_of_work(database) as session:
        set_endpoint(session, "wmwa-idva", receiver.url, policy=LOCAL_RECEIVER, box=SECRET_BOX)
    for n in range(40):
        intake(f"BEATS/{n}")
    broker = redis.Redis.from_url(redis_server.url)
    broker.flushdb()
    rounds = []
    for _ in range(3):  # three rounds of two beats sweeping at the same moment
        with ThreadPoolExecutor(max_workers=2) as pool:
            rounds += list(pool.map(lambda _: _sweep(database, redis_server), range(2)))
    assert sum(published for published, _ in rounds) == 40, rounds
    queued = [
        _delivery_ids(message)
        for queue in ("provider.wmwa-idva", "provider.wmwa-idva.backlog")
        for message in broker.lrange(queue, 0, -1)
    ]
    ids = [delivery_id for batch in queued for delivery_id in batch]
    assert len(ids) == len(set(ids)) == 40, "each delivery is on its provider's queue once"
    # The intake's R3 and R4 points fell due a year ago: 80 marked missed, by one sweep or another, never twice.
    assert sum(missed for _, missed in rounds) == 80, rounds
