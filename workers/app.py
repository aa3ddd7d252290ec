"""The Celery application (the `-A workers.app` entry point): configured from VAL's settings."""

from __future__ import annotations

import warnings

from celery import Celery
from celery.exceptions import SecurityWarning
from celery.signals import worker_ready
from kombu.transport import sqlalchemy as sqlalchemy_transport

from val.logs import configure_logging
from val.settings import Settings, load_settings
from workers.queues import CONSUME_IN_ORDER, TASK_ROUTES, queues
from workers.schedule import beat_schedule

# The SQLite broker is polled. Its transport sleeps a second whenever the worker cannot take a message —
# which, with one message in hand at a time, is after every delivery: 0.7 webhooks a second on an idle machine.
# Polling every 50 ms and holding a few messages while one runs keeps the worker busy; acks stay late, so a
# message held by a worker that dies is delivered again. (The interval is the transport's class attribute:
# this transport hands every transport option to SQLAlchemy's create_engine, so it cannot be passed there.)
EMBEDDED_POLLING_SECONDS = 0.1
EMBEDDED_BROKER = {"worker_prefetch_multiplier": 8}


# Celery warns at length when run as root; `val run` says it once, in one line, before it starts anything.
warnings.filterwarnings("ignore", category=SecurityWarning)


def make_celery(settings: Settings) -> Celery:
    celery = Celery("val", broker=settings.effective_broker_url, include=["workers.tasks"])
    celery.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_acks_late=True,  # a task is acknowledged once done, so a killed worker's task is redelivered
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=queues(settings),
        task_routes=TASK_ROUTES,
        task_default_queue="intake",
        beat_schedule=beat_schedule(settings),
        beat_schedule_filename=str(settings.beat_schedule_file),  # with the data, not in the working dir
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
    )
    if settings.embedded:
        celery.conf.update(EMBEDDED_BROKER)
        sqlalchemy_transport.Transport.polling_interval = EMBEDDED_POLLING_SECONDS
    else:
        celery.conf.broker_transport_options = CONSUME_IN_ORDER
    celery.conf.val_settings = settings
    return celery


_settings = load_settings()
configure_logging(_settings.log_level)
app = make_celery(_settings)


@worker_ready.connect
def _start_kick_listener(sender: object = None, **_kwargs: object) -> None:
    from workers.kick import start_listener

    start_listener(_settings, app)
