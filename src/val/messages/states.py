"""A message's states and the moves between them. Pure.

`queued` waits for its safe moment (and, after a failed try, for its next try); `sent` means Notify accepted it;
Notify's delivery receipt then gives one of its own final statuses, named as Notify names them."""

from __future__ import annotations

from enum import StrEnum

from val.states import TransitionTable


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    PERMANENT_FAILURE = "permanent-failure"  # Notify: the number or address does not exist
    TEMPORARY_FAILURE = "temporary-failure"  # Notify: the phone was off or the inbox full, for 72 hours
    TECHNICAL_FAILURE = "technical-failure"  # Notify: its own problem; not charged
    FAILED = "failed"  # Notify refused it (a 400 or 403): its reason is kept
    CANCELLED = "cancelled"  # the safety rule refused it while it waited (consent withdrawn, say)


M = MessageStatus
RECEIPTS = (M.DELIVERED, M.PERMANENT_FAILURE, M.TEMPORARY_FAILURE, M.TECHNICAL_FAILURE)
MESSAGE_TRANSITIONS = TransitionTable(
    "message",
    MessageStatus,
    {
        M.QUEUED: {M.SENT, M.FAILED, M.CANCELLED},
        M.SENT: set(RECEIPTS),
    },
)
