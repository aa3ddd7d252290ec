"""Thin, idempotent tasks: they take ids, open a unit of work and call VAL's services."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from functools import cache

from celery import shared_task

from val.compliance import service as compliance
from val.db.base import utcnow
from val.db.session import Database
from val.http.models import purge_expired
from val.messaging import outbox
from val.messaging.handlers import handle
from val.routing import service as routing
from val.rulebook import load_rulebook
from val.settings import Settings, load_settings
from val.webhooks import service as webhooks
from val.webhooks.domain import parse_schedule
from val.webhooks.sender import WebhookSender
from workers.queues import provider_queue

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


@cache
def _sender() -> WebhookSender:
    return WebhookSender()


@cache
def _settings() -> Settings:
    return load_settings()


def publish_due_deliveries() -> int:
    """Put due deliveries on their provider's queue. Marked as enqueued in the same transaction; a crash
    after publishing publishes again, which the delivery's lease makes harmless."""
    settings = _settings()
    with database().sessions() as session:
        due = webhooks.claim_due(session, utcnow(), requeue_after_s=settings.webhook_lease_seconds)
        for item in due:
            deliver_webhook.apply_async(args=[str(item.id)], queue=provider_queue(item.provider_id))
        session.commit()
    return len(due)


@shared_task(name="val.webhooks.sweep", ignore_result=True)
def sweep_webhook_deliveries() -> int:
    return publish_due_deliveries()


@shared_task(name="val.webhooks.deliver", ignore_result=True)
def deliver_webhook(delivery_id: str) -> str:
    """One attempt; the retry schedule lives in the database (next_attempt_at), never in broker countdowns."""
    settings = _settings()
    outcome = webhooks.attempt_delivery(
        database(),
        uuid.UUID(delivery_id),
        _sender(),
        parse_schedule(settings.webhook_retry_schedule),
        settings.webhook_lease_seconds,
    )
    log.info("webhook attempt", extra={"delivery_id": delivery_id, "outcome": outcome})
    return outcome


@shared_task(name="val.routing.expire_offers", ignore_result=True)
def expire_unanswered_offers() -> int:
    with database().sessions() as session:
        expired = routing.expire_overdue(session, load_rulebook(_settings().config_dir))
    if expired:
        log.info("offers expired", extra={"count": expired})
    return expired


@shared_task(name="val.routing.send_reminders", ignore_result=True)
def send_offer_reminders() -> int:
    window = dt.timedelta(hours=_settings().reminder_hours_before)
    with database().sessions() as session:
        return routing.send_reminders(session, window)


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
