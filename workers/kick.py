"""Latency: on PostgreSQL a thread in each worker LISTENs for the NOTIFY that every change creating a
webhook delivery issues in its transaction, and sweeps due deliveries at once instead of waiting for the
beat. The beat still sweeps every second, so nothing depends on a notification arriving.

The thread publishes through a broker connection of its own: the worker's main process uses Celery's
connections and producer pool for consuming, and sharing them across threads is not safe.

A backlog (a provider's many deliveries found at once) is published by a second thread, with its own
connection: a thousand webhooks are a hundred messages, and the next referral's webhook, published by the
listener alone, must not wait behind them. A backlog message that is never published (the process dies
first) leaves its deliveries marked enqueued: the sweep publishes them again once the lease has passed, as
after a crash between any sweep's commit and its publishing."""

from __future__ import annotations

import logging
import queue
import threading
import time

from celery import Celery

from val.db.notify import notifications
from val.settings import Settings
from val.webhooks.outbox import NOTIFY_CHANNEL

log = logging.getLogger("val.workers.kick")


def start_listener(settings: Settings, app: Celery) -> threading.Thread | None:
    url = settings.effective_database_url
    if not url.startswith("postgresql"):
        return None  # SQLite has no NOTIFY: the embedded mode relies on the beat's sweep
    thread = threading.Thread(target=_listen, args=(url, app), name="val-kick-listener", daemon=True)
    thread.start()
    return thread


def _listen(url: str, app: Celery) -> None:
    from workers.tasks import publish_due_deliveries

    backlog: queue.SimpleQueue[tuple[str, list[str]]] = queue.SimpleQueue()
    threading.Thread(
        target=_publish_backlog, args=(app, backlog), name="val-backlog-publisher", daemon=True
    ).start()

    def later(queue_name: str, ids: list[str]) -> None:
        backlog.put((queue_name, ids))

    while True:
        try:
            with app.connection_for_write() as broker:
                # The first is at once: whatever was committed while we were not listening.
                for _ in notifications(url, NOTIFY_CHANNEL):
                    publish_due_deliveries(broker, later)
        except Exception as exc:  # keep listening; the beat covers the gap
            log.warning("kick listener reconnecting", extra={"error_type": type(exc).__name__})
            time.sleep(1)


def _publish_backlog(app: Celery, backlog: queue.SimpleQueue[tuple[str, list[str]]]) -> None:
    from workers.tasks import publish_deliveries

    while True:
        try:
            with app.connection_for_write() as broker:
                while True:
                    queue_name, ids = backlog.get()
                    publish_deliveries(queue_name, ids, broker)
        except Exception as exc:  # what was not published is published again by the sweep
            log.warning("backlog publisher reconnecting", extra={"error_type": type(exc).__name__})
            time.sleep(1)
