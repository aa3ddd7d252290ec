"""A case's states and the moves between them. Triage decides the first; consent changes move it. Pure."""

from __future__ import annotations

from val.states import TransitionTable
from val.triage.domain import CaseStatus

C = CaseStatus
CASE_TRANSITIONS = TransitionTable(
    "case",
    CaseStatus,
    {
        C.TRIAGED: {C.ROUTED, C.AWAITING_CONSENT, C.NO_REFERRAL},
        C.AWAITING_CONSENT: {C.ROUTED, C.TRIAGED, C.NO_REFERRAL},
        C.NO_REFERRAL: {C.ROUTED, C.TRIAGED, C.AWAITING_CONSENT},
        C.ROUTED: {C.AWAITING_CONSENT, C.NO_REFERRAL},
    },
)
