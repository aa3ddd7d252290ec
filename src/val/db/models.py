"""Every mapped class, imported once so metadata is complete for Alembic and tests."""

from val.audit.models import AuditEvent
from val.auth.models import Credential
from val.cases.models import Case, Offence, TriageDecision, Victim
from val.db.base import Base
from val.http.models import IdempotencyRecord
from val.messaging.models import OutboxMessage
from val.providers.models import Provider

__all__ = [
    "AuditEvent",
    "Base",
    "Case",
    "Credential",
    "IdempotencyRecord",
    "Offence",
    "OutboxMessage",
    "Provider",
    "TriageDecision",
    "Victim",
]
