"""Every mapped class, imported once so metadata is complete for Alembic and tests."""

from val.audit.models import AuditEvent
from val.auth.models import Credential
from val.cases.models import Case, Offence, TriageDecision, Victim
from val.compliance.models import CaseEvent, CompliancePoint
from val.db.base import Base
from val.http.models import IdempotencyRecord
from val.messaging.models import OutboxMessage
from val.providers.models import Provider
from val.routing.models import Alert, Assignment
from val.webhooks.models import WebhookAttempt, WebhookDelivery

__all__ = [
    "Alert",
    "Assignment",
    "AuditEvent",
    "Base",
    "Case",
    "CaseEvent",
    "CompliancePoint",
    "Credential",
    "IdempotencyRecord",
    "Offence",
    "OutboxMessage",
    "Provider",
    "TriageDecision",
    "Victim",
    "WebhookAttempt",
    "WebhookDelivery",
]
