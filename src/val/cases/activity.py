"""What the case's own history records: changes no other record keeps (consent, contact details, owner,
closure, reopening). Written in the unit of work of the change (`cases.store.record_activity`); read by the
timeline."""

from __future__ import annotations

from enum import StrEnum

SYSTEM_ACTOR = "VAL"


class ActivityKind(StrEnum):
    CONSENT_CHANGED = "consent_changed"
    CONTACT_CHANGED = "contact_changed"
    OWNER_CHANGED = "owner_changed"
    CLOSED = "closed"
    REOPENED = "reopened"
    MESSAGE = "message"  # a message to the victim: queued, sent, cancelled, failed, or Notify's receipt
    FEEDBACK = "feedback"  # the victim answered the feedback page
