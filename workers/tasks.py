"""Thin, idempotent tasks: they take ids, open a unit of work and call VAL's services."""

from __future__ import annotations

import logging
import uuid
from functools import cache

from celery import shared_task

from val.compliance import service as compliance
from val.db.session import Database
from val.http.idempotency import purge_expired
from val.messaging import outbox
from val.messaging.handlers import handle
from val.settings import load_settings

log = logging.getLogger("val.workers")
RELAY_BATCH = 200


@cache
def database() -> Database:
    """One engine per worker process, built on first use (never at import, never shared across a fork)."""
    return Database(load_settings().effective_database_url, pool_size=2)


@shared_task(name="val.outbox.relay", ignore_result=True)
def relay_outbox() -> int:
    """Publish committed outbox rows. Publishing happens before the rows are marked, so a crash in between
    publishes them again: consumers are idempotent (at-least-once, never lost)."""
    with database().sessions() as session:
        messages = outbox.claim_unpublished(session, RELAY_BATCH)
        for message in messages:
            dispatch_outbox_message.apply_async(args=[str(message.id)])
        outbox.mark_published(session, [m.id for m in messages])
        session.commit()
    if messages:
        log.info("outbox relayed", extra={"count": len(messages)})
    return len(messages)


@shared_task(
    name="val.outbox.dispatch",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=None,
)
def dispatch_outbox_message(message_id: str) -> None:
    with database().sessions() as session:
        message = outbox.mark_processed(session, uuid.UUID(message_id))
        if message is None:
            return  # already processed: a redelivery
        handle(session, message.topic, message.payload)
        session.commit()
    log.info("outbox message processed", extra={"message_id": message_id, "topic": message.topic})


@shared_task(name="val.compliance.sweep_overdue", ignore_result=True)
def sweep_overdue_points() -> int:
    """Pending points past their due date become missed. A single idempotent UPDATE, so a run that overlaps
    another changes nothing twice."""
    with database().sessions() as session:
        swept = compliance.sweep_overdue(session, compliance.london_today())
    if swept:
        log.info("compliance points marked missed", extra={"count": swept})
    return swept


@shared_task(name="val.idempotency.purge", ignore_result=True)
def purge_idempotency_keys() -> int:
    with database().sessions() as session:
        purged = purge_expired(session)
        session.commit()
    return purged
