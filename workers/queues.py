"""Every queue and which task goes where, declared once. Deliveries go to one queue per provider, so a
provider whose endpoint is failing backs up only its own queue."""

from __future__ import annotations

from kombu import Queue

from val.providers.directory import load_directory
from val.settings import Settings

INTAKE = "intake"
COMPLIANCE = "compliance"
OUTBOX = "outbox"  # the sweep of the deliveries table, which is VAL's outbox
CORE_QUEUES = (INTAKE, COMPLIANCE, OUTBOX)

TASK_ROUTES = {
    "val.webhooks.sweep": {"queue": OUTBOX},
    "val.routing.expire_offers": {"queue": INTAKE},
    "val.routing.send_reminders": {"queue": INTAKE},
    "val.idempotency.purge": {"queue": INTAKE},
    "val.compliance.sweep_overdue": {"queue": COMPLIANCE},
    "val.compliance.compact_counts": {"queue": COMPLIANCE},
    "val.retention.apply": {"queue": COMPLIANCE},
    # val.webhooks.deliver is sent to provider_queue(provider_id) explicitly.
}


def provider_queue(provider_id: str) -> str:
    return f"provider.{provider_id}"


def provider_queues(settings: Settings) -> tuple[str, ...]:
    entries = load_directory(settings.config_dir / "providers.toml", settings.policing_areas)
    return tuple(provider_queue(entry.id) for entry in entries)


def all_queue_names(settings: Settings) -> tuple[str, ...]:
    return CORE_QUEUES + provider_queues(settings)


def queues(settings: Settings) -> tuple[Queue, ...]:
    return tuple(Queue(name) for name in all_queue_names(settings))
