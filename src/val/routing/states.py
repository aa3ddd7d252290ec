"""An assignment's states and the moves between them (DOMAIN §5). Pure."""

from __future__ import annotations

from enum import StrEnum

from val.states import TransitionTable


class AssignmentStatus(StrEnum):
    UNASSIGNED = "unassigned"  # no eligible provider: a coordinator must arrange it
    OFFERED = "offered"
    ACCEPTED = "accepted"
    IN_SUPPORT = "in_support"
    CLOSED = "closed"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


A = AssignmentStatus
ASSIGNMENT_TRANSITIONS = TransitionTable(
    "referral",
    AssignmentStatus,
    {
        A.UNASSIGNED: {A.WITHDRAWN},
        A.OFFERED: {A.ACCEPTED, A.DECLINED, A.EXPIRED, A.WITHDRAWN},
        A.ACCEPTED: {A.IN_SUPPORT, A.CLOSED, A.WITHDRAWN},
        A.IN_SUPPORT: {A.CLOSED, A.WITHDRAWN},
    },
)

OPEN = (A.OFFERED, A.ACCEPTED, A.IN_SUPPORT)  # a provider holds it
LIVE = (*OPEN, A.UNASSIGNED)  # someone still has to act on it
REROUTABLE = (*LIVE, A.DECLINED, A.EXPIRED)

# What a provider may report, and the state it moves the assignment to.
OUTCOMES: dict[str, AssignmentStatus] = {
    "in_support": A.IN_SUPPORT,  # support has started
    "supported": A.CLOSED,
    "unable_to_contact": A.CLOSED,
    "support_declined": A.CLOSED,
    "transferred": A.CLOSED,
}
