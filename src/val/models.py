"""Every mapped class, imported once by each entry point (app, CLI, workers, migrations) so the metadata is
complete and every relationship resolves, whichever feature a process touches first."""

from val.alerts.models import Alert
from val.audit.models import AuditEvent
from val.auth.models import AuthFailure, Credential, Person
from val.cases.models import Case, CaseActivity, Offence, TriageDecision, Victim
from val.casework.models import CaseNote, ContactAttempt, SamePersonLink
from val.compliance.models import CaseEvent, CompliancePoint
from val.db.base import Base
from val.feedback.models import FeedbackAnswer, FeedbackLink
from val.http.models import IdempotencyRecord
from val.messages.models import Message
from val.metrics.models import IntakeTally
from val.providers.models import Provider
from val.routing.models import Assignment
from val.webhooks.models import WebhookAttempt, WebhookDelivery

__all__ = [
    "Alert",
    "Assignment",
    "AuditEvent",
    "AuthFailure",
    "Base",
    "Case",
    "CaseActivity",
    "CaseEvent",
    "CaseNote",
    "CompliancePoint",
    "ContactAttempt",
    "Credential",
    "FeedbackAnswer",
    "FeedbackLink",
    "IdempotencyRecord",
    "IntakeTally",
    "Message",
    "Offence",
    "Person",
    "Provider",
    "SamePersonLink",
    "TriageDecision",
    "Victim",
    "WebhookAttempt",
    "WebhookDelivery",
]
