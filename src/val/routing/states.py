"""An assignment's states and the moves between them (docs/providers.md). Pure."""

from __future__ import annotations

from enum import StrEnum

from val.states import TransitionTable
from val.triage.domain import CaseStatus

# Why a provider declined, for the commissioner's return: what a commissioner can act on (capacity, areas,
# eligibility). The provider's own words stay in `decline_reason`, for coordinators only.
DECLINE_CODES = ("no_capacity", "outside_area", "not_eligible", "victim_declined", "duplicate", "other")


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


def implied_case_status(
    assignments: list[AssignmentStatus], consent: tuple[bool, CaseStatus], *, may_close: bool
) -> CaseStatus:
    """What a case's consent and assignments say its status is (docs/casework.md). Without consent to refer, the
    consent decides (`no_referral`, `awaiting_consent`), whatever MARAC does. Otherwise: accepted or in
    support → in_support; offered or waiting for a coordinator → routed; every provider has closed its
    referral → closed (when `may_close`); nothing left → triaged."""
    permitted, consent_status = consent
    if not permitted:
        return consent_status
    if any(a in (A.ACCEPTED, A.IN_SUPPORT) for a in assignments):
        return CaseStatus.IN_SUPPORT
    if any(a in (A.OFFERED, A.UNASSIGNED) for a in assignments):
        return CaseStatus.ROUTED
    if may_close and A.CLOSED in assignments:
        return CaseStatus.CLOSED
    return CaseStatus.TRIAGED
