"""Every queue and which task goes where, declared once."""

from __future__ import annotations

from kombu import Queue

INTAKE = "intake"
COMPLIANCE = "compliance"
OUTBOX = "outbox"

QUEUES = (Queue(INTAKE), Queue(COMPLIANCE), Queue(OUTBOX))

TASK_ROUTES = {
    "val.outbox.relay": {"queue": OUTBOX},
    "val.outbox.dispatch": {"queue": INTAKE},
    "val.idempotency.purge": {"queue": INTAKE},
    "val.compliance.sweep_overdue": {"queue": COMPLIANCE},
}
