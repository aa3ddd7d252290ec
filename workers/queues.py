"""Every queue and which task goes where, declared once. Deliveries go to one queue per provider, so a
provider whose endpoint is failing backs up only its own queue."""

from __future__ import annotations

from kombu.entity import Queue

from val.providers.directory import load_directory
from val.settings import Settings

INTAKE = "intake"
COMPLIANCE = "compliance"
OUTBOX = "outbox"  # the sweep of the deliveries table, which is VAL's outbox
CORE_QUEUES = (INTAKE, COMPLIANCE, OUTBOX)

TASK_ROUTES = {
    "val.webhooks.sweep": {"queue": OUTBOX},
    "val.messages.send_due": {"queue": OUTBOX},
    "val.routing.expire_offers": {"queue": INTAKE},
    "val.routing.send_reminders": {"queue": INTAKE},
    "val.idempotency.purge": {"queue": INTAKE},
    "val.compliance.sweep_overdue": {"queue": COMPLIANCE},
    "val.compliance.compact_counts": {"queue": COMPLIANCE},
    "val.retention.apply": {"queue": COMPLIANCE},
    # val.webhooks.deliver_many is sent to a provider's queue explicitly.
}


def provider_queue(provider_id: str) -> str:
    return f"provider.{provider_id}"


def provider_backlog_queue(provider_id: str) -> str:
    """Where a sweep puts a provider's deliveries when it finds more than one task's worth at once (a batch
    import, a backlog after an outage). Workers take from every queue in turn, so a new referral's webhook on
    the provider's own queue is not kept waiting behind the whole backlog."""
    return f"provider.{provider_id}.backlog"


def provider_queues(settings: Settings) -> tuple[str, ...]:
    """Every provider's own queue, then every backlog: the order workers take them in (`CONSUME_IN_ORDER`).
    The embedded broker has no backlogs: it polls every queue in turn anyway, and each queue is one more
    query per poll while idle."""
    entries = load_directory(settings.config_dir / "providers.toml", settings.policing_areas)
    own = tuple(provider_queue(entry.id) for entry in entries)
    if settings.embedded:
        return own
    return own + tuple(provider_backlog_queue(entry.id) for entry in entries)


# Redis: a free worker takes the first queue in `all_queue_names` order that has a message (the scheduled
# jobs, then new referrals' webhooks, then backlogs), not each queue in turn. A backlog waits for new
# referrals, never the other way round.
CONSUME_IN_ORDER = {"queue_order_strategy": "priority"}


def all_queue_names(settings: Settings) -> tuple[str, ...]:
    return CORE_QUEUES + provider_queues(settings)


def queues(settings: Settings) -> tuple[Queue, ...]:
    return tuple(Queue(name) for name in all_queue_names(settings))  # type: ignore[no-untyped-call]
