"""Latency: on PostgreSQL a thread in each worker LISTENs for the NOTIFY that every change creating a
webhook delivery issues in its transaction, and sweeps due deliveries at once instead of waiting for the
beat. The beat still sweeps every second, so nothing depends on a notification arriving.

The thread publishes through a broker connection of its own: the worker's main process uses Celery's
connections and producer pool for consuming, and sharing them across threads is not safe."""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from celery import Celery

from val.settings import Settings
from val.webhooks.service import NOTIFY_CHANNEL

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

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    while True:
        try:
            with psycopg.connect(dsn, autocommit=True) as listening, app.connection_for_write() as broker:
                listening.execute(f"LISTEN {NOTIFY_CHANNEL}")
                publish_due_deliveries(broker)  # whatever was committed while we were not listening
                for _ in listening.notifies():
                    publish_due_deliveries(broker)
        except Exception as exc:  # noqa: BLE001 — keep listening; the beat covers the gap
            log.warning("kick listener reconnecting", extra={"error_type": type(exc).__name__})
            time.sleep(1)
