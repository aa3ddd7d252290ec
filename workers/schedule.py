"""The beat schedule, declared once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from val.settings import Settings


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    return {
        # The database says when each delivery is due; this puts the due ones on their provider's queue.
        "sweep-webhook-deliveries": {
            "task": "val.webhooks.sweep",
            "schedule": timedelta(seconds=settings.webhook_sweep_seconds),
            "options": {"expires": max(30.0, 10 * settings.webhook_sweep_seconds)},
        },
        # Messages to victims: the messages table is their outbox; due ones go to GOV.UK Notify.
        "send-due-messages": {
            "task": "val.messages.send_due",
            "schedule": timedelta(seconds=settings.message_sweep_seconds),
            "options": {"expires": max(30.0, 10 * settings.message_sweep_seconds)},
        },
        "alert-webhooks-awaiting-endpoints": {
            "task": "val.webhooks.alert_awaiting_endpoints",
            "schedule": timedelta(minutes=5),
            "options": {"expires": 290},
        },
        "watch-webhook-endpoints": {
            "task": "val.webhooks.watch_endpoints",
            "schedule": timedelta(minutes=10),
            "options": {"expires": 590},
        },
        "expire-unanswered-offers": {
            "task": "val.routing.expire_offers",
            "schedule": timedelta(minutes=1),
            "options": {"expires": 55},
        },
        "remind-providers-of-unanswered-offers": {
            "task": "val.routing.send_reminders",
            "schedule": timedelta(minutes=5),
            "options": {"expires": 290},
        },
        "purge-idempotency-keys": {"task": "val.idempotency.purge", "schedule": timedelta(hours=1)},
        # docs/data-lifecycle.md: closed cases past the retention period are anonymised; idempotent, so weekly is enough.
        "apply-retention": {"task": "val.retention.apply", "schedule": timedelta(days=7)},
        # Points fall due at the end of a London day; sweeping every 15 minutes marks them missed soon after.
        # The Board's counts gain a row per change to a point; summing them up keeps the table small.
        "compact-compliance-point-counts": {
            "task": "val.compliance.compact_counts",
            "schedule": timedelta(minutes=10),
            "options": {"expires": 590},
        },
        "sweep-overdue-compliance-points": {
            "task": "val.compliance.sweep_overdue",
            "schedule": timedelta(minutes=15),
            "options": {"expires": 600},
        },
    }
