"""A case's states and the moves between them. Triage decides the first; consent, providers' answers,
closure and reopening move it. Pure."""

from __future__ import annotations

from val.states import TransitionTable
from val.triage.domain import CaseStatus

C = CaseStatus
CASE_TRANSITIONS = TransitionTable(
    "case",
    CaseStatus,
    {
        C.TRIAGED: {C.ROUTED, C.AWAITING_CONSENT, C.NO_REFERRAL, C.CLOSED},
        C.AWAITING_CONSENT: {C.ROUTED, C.TRIAGED, C.NO_REFERRAL, C.CLOSED},
        C.NO_REFERRAL: {C.ROUTED, C.TRIAGED, C.AWAITING_CONSENT, C.CLOSED},
        C.ROUTED: {C.IN_SUPPORT, C.TRIAGED, C.AWAITING_CONSENT, C.NO_REFERRAL, C.CLOSED},
        C.IN_SUPPORT: {C.ROUTED, C.TRIAGED, C.AWAITING_CONSENT, C.NO_REFERRAL, C.CLOSED},
        # Reopening goes back to what the case's assignments and consent imply.
        C.CLOSED: {C.TRIAGED, C.ROUTED, C.IN_SUPPORT, C.AWAITING_CONSENT, C.NO_REFERRAL},
    },
)
