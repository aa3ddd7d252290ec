"""Thin, idempotent tasks: they take ids, own their unit of work and call VAL's services."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from functools import cache

from celery import shared_task
from kombu.connection import Connection

import val.models  # noqa: F401  — every mapped class, before the first query
from val.auth.roles import Role
from val.auth.service import system_principal
from val.casework.messages import recipient_of
from val.compliance import service as compliance
from val.compliance.store import compact_counts
from val.db.base import utcnow
from val.db.session import Database, unit_of_work
from val.feedback.service import new_link
from val.http.store import purge_expired
from val.lifecycle.retention import apply_retention
from val.messages import sending
from val.messages.notify import NotifyGateway
from val.messages.sending import SendingTools
from val.routing import service as routing
from val.rulebook import Rulebook, load_rulebook
from val.settings import Settings, load_settings, parse_schedule
from val.webhooks import awaiting, endpoint_health
from val.webhooks import service as webhooks
from val.webhooks import usecases as delivering
from val.webhooks.destinations import DestinationPolicy, policy_for
from val.webhooks.secret_box import SecretBox, box_for
from val.webhooks.sender import WebhookSender
from val.webhooks.usecases import DeliveryTools
from workers.queues import provider_backlog_queue, provider_queue

log = logging.getLogger("val.workers")


@cache
def _settings() -> Settings:
    return load_settings()


@cache
def database() -> Database:
    """One engine per worker process, built on first use (never at import, never shared across a fork)."""
    return Database(_settings().effective_database_url, pool_size=2)


@cache
def _rulebook() -> Rulebook:
    return load_rulebook(_settings().config_dir)


@cache
def _secret_box() -> SecretBox:
    return box_for(_settings())


@cache
def _destinations() -> DestinationPolicy:
    settings = _settings()
    return policy_for(
        allow_http=settings.http_webhooks_allowed,
        embedded=settings.embedded,
        allowlist=settings.webhook_host_allowlist,
    )


@cache
def _sender() -> WebhookSender:
    return WebhookSender()


def claim_due_deliveries() -> list[webhooks.DueDelivery]:
    """Mark due deliveries as enqueued and commit before anything is published: no row lock is held while
    the broker is talked to. A crash between this commit and the publish leaves them marked; the sweep
    publishes them again once `webhook_lease_seconds` have passed, which the delivery's lease makes safe."""
    with unit_of_work(database()) as session:
        return webhooks.claim_due(session, requeue_after_s=_settings().webhook_lease_seconds)


# Deliveries per message: one task sends a few of a provider's webhooks with one lease commit and one record
# commit, instead of a task, a lease and a record per webhook. Few enough that a crash between sending and
# recording repeats little (providers de-duplicate on webhook-id).
DELIVERIES_PER_TASK = 10


def publish_due_deliveries(
    connection: Connection | None = None, backlog_later: Callable[[str, list[str]], None] | None = None
) -> int:
    """Put due deliveries on their provider's queue, a few per message (through `connection` when the caller
    has its own). A backlog's messages go to `backlog_later` when given: publishing a thousand webhooks' worth
    takes long enough that the next referral's webhook should not wait for it."""
    due = claim_due_deliveries()
    by_provider: dict[str, list[str]] = {}
    for item in due:
        by_provider.setdefault(item.provider_id, []).append(str(item.id))
    for provider_id, ids in by_provider.items():
        backlog = len(ids) > DELIVERIES_PER_TASK and not _settings().embedded
        queue = provider_backlog_queue(provider_id) if backlog else provider_queue(provider_id)
        for start in range(0, len(ids), DELIVERIES_PER_TASK):
            if backlog and backlog_later is not None:
                backlog_later(queue, ids[start : start + DELIVERIES_PER_TASK])
            else:
                publish_deliveries(queue, ids[start : start + DELIVERIES_PER_TASK], connection)
    return len(due)


def publish_deliveries(queue: str, ids: list[str], connection: Connection | None = None) -> None:
    deliver_webhooks.apply_async(args=[ids], queue=queue, connection=connection)


@shared_task(name="val.webhooks.sweep", ignore_result=True)
def sweep_webhook_deliveries() -> int:
    return publish_due_deliveries()


@shared_task(name="val.webhooks.alert_awaiting_endpoints", ignore_result=True)
def alert_awaiting_endpoints() -> int:
    """A coordinator hears of webhooks waiting for a provider to register an endpoint."""
    with unit_of_work(database()) as session:
        return awaiting.alert_awaiting_endpoints(session)


@shared_task(name="val.webhooks.watch_endpoints", ignore_result=True)
def watch_endpoints() -> tuple[int, int]:
    """Disable endpoints failing for days; announce those that work again."""
    disable_after = dt.timedelta(days=_settings().endpoint_disable_after_days)
    with unit_of_work(database()) as session:
        return endpoint_health.watch_endpoints(session, disable_after, utcnow())


@cache
def _delivery_tools() -> DeliveryTools:
    settings = _settings()
    return DeliveryTools(
        lease_seconds=settings.webhook_lease_seconds,
        schedule=settings.webhook_schedule,
        box=_secret_box(),
        sender=_sender(),
        destinations=_destinations(),
    )


@shared_task(name="val.webhooks.deliver", ignore_result=True)
def deliver_webhook(delivery_id: str) -> str:
    """One delivery: the messages an earlier release left on the queues (sweeps publish `deliver_many`)."""
    outcomes = delivering.deliver(database(), [uuid.UUID(delivery_id)], _delivery_tools())
    return outcomes[0] if outcomes else "not_due"


@shared_task(name="val.webhooks.deliver_many", ignore_result=True)
def deliver_webhooks(delivery_ids: list[str]) -> list[str]:
    """A few of one provider's deliveries, by `val.webhooks.usecases.deliver`."""
    return delivering.deliver(database(), [uuid.UUID(i) for i in delivery_ids], _delivery_tools())


def message_tools_for(settings: Settings, rulebook: Rulebook) -> SendingTools | None:
    """None until a Notify key is set: messages then wait, queued, and are sent once one is."""
    if not settings.notify_api_key:
        return None
    base_url = settings.public_base_url or f"http://{settings.bind_host}:{settings.port}"
    return SendingTools(
        gateway=NotifyGateway(settings.notify_api_key, settings.notify_base_url),
        config=rulebook.messages,
        schedule=parse_schedule(settings.message_retry_schedule),
        lease_seconds=settings.message_lease_seconds,
        recipient_of=recipient_of,
        extra_fields={
            "feedback_request": lambda session, message, now: {
                "feedback_link": new_link(
                    session, message.case_id, now, settings.feedback_link_days, base_url
                )
            }
        },
    )


@cache
def _message_tools() -> SendingTools | None:
    return message_tools_for(_settings(), _rulebook())


@shared_task(name="val.messages.send_due", ignore_result=True)
def send_due_messages() -> list[str]:
    """Messages to victims whose time has come, through GOV.UK Notify."""
    tools = _message_tools()
    return sending.send_due(database(), tools) if tools is not None else []


@shared_task(name="val.routing.expire_offers", ignore_result=True)
def expire_unanswered_offers() -> int:
    with unit_of_work(database()) as session:
        expired = routing.expire_overdue(session, _rulebook().routing)
    if expired:
        log.info("offers expired", extra={"count": expired})
    return expired


@shared_task(name="val.routing.send_reminders", ignore_result=True)
def send_offer_reminders() -> int:
    window = dt.timedelta(hours=_settings().reminder_hours_before)
    with unit_of_work(database()) as session:
        return routing.send_reminders(session, window)


@shared_task(name="val.compliance.sweep_overdue", ignore_result=True)
def sweep_overdue_points() -> int:
    """Pending points past their due date become missed. A single idempotent UPDATE, so a run that overlaps
    another changes nothing twice."""
    with unit_of_work(database()) as session:
        swept = compliance.sweep_overdue(session, compliance.london_today())
    if swept:
        log.info("compliance points marked missed", extra={"count": swept})
    return swept


@shared_task(name="val.compliance.compact_counts", ignore_result=True)
def compact_point_counts() -> int:
    """Sum the Board's +1/−1 count rows up. Safe to overlap: runs wait for each other (PostgreSQL's advisory
    lock, SQLite's single writer)."""
    with unit_of_work(database()) as session:
        return compact_counts(session)


@shared_task(name="val.idempotency.purge", ignore_result=True)
def purge_idempotency_keys() -> int:
    with unit_of_work(database()) as session:
        return purge_expired(session, utcnow())


@shared_task(name="val.retention.apply", ignore_result=True)
def apply_retention_weekly() -> int:
    """docs/data-lifecycle.md: closed cases past the retention period are anonymised, each run audited."""
    with unit_of_work(database()) as session:
        principal = system_principal(session, "retention", Role.ADMIN)
        run = apply_retention(session, principal, _settings().retention_years)
    return run.anonymised
