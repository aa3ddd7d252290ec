"""The beat schedule, declared once."""

from __future__ import annotations

from datetime import timedelta

from val.settings import Settings


def beat_schedule(settings: Settings) -> dict:
    return {
        "relay-outbox": {
            "task": "val.outbox.relay",
            "schedule": timedelta(seconds=settings.outbox_relay_seconds),
            # A relay run that waited longer than its period is superseded by the next one.
            "options": {"expires": settings.outbox_relay_seconds},
        },
        "purge-idempotency-keys": {"task": "val.idempotency.purge", "schedule": timedelta(hours=1)},
    }
