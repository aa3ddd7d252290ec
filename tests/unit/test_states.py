"""Every state machine walked whole: each allowed move is allowed, every other move is refused (a 409)."""

from __future__ import annotations

import pytest

from val.cases.states import CASE_TRANSITIONS
from val.compliance.rules import POINT_TRANSITIONS, PointStatus
from val.errors import ConflictError
from val.routing.states import ASSIGNMENT_TRANSITIONS, AssignmentStatus
from val.states import ForbiddenTransition, TransitionTable
from val.triage.domain import CaseStatus
from val.webhooks.domain import DELIVERY_TRANSITIONS, DeliveryStatus

A, C, P, D = AssignmentStatus, CaseStatus, PointStatus, DeliveryStatus

# The moves each record may make, written out as the domain says them; everything else is forbidden.
ALLOWED = {
    "case": {
        (C.TRIAGED, C.ROUTED),
        (C.TRIAGED, C.AWAITING_CONSENT),
        (C.TRIAGED, C.NO_REFERRAL),
        (C.TRIAGED, C.CLOSED),
        (C.AWAITING_CONSENT, C.ROUTED),
        (C.AWAITING_CONSENT, C.TRIAGED),
        (C.AWAITING_CONSENT, C.NO_REFERRAL),
        (C.AWAITING_CONSENT, C.CLOSED),
        (C.NO_REFERRAL, C.ROUTED),
        (C.NO_REFERRAL, C.TRIAGED),
        (C.NO_REFERRAL, C.AWAITING_CONSENT),
        (C.NO_REFERRAL, C.CLOSED),
        (C.ROUTED, C.IN_SUPPORT),
        (C.ROUTED, C.TRIAGED),
        (C.ROUTED, C.AWAITING_CONSENT),
        (C.ROUTED, C.NO_REFERRAL),
        (C.ROUTED, C.CLOSED),
        (C.IN_SUPPORT, C.ROUTED),
        (C.IN_SUPPORT, C.TRIAGED),
        (C.IN_SUPPORT, C.AWAITING_CONSENT),
        (C.IN_SUPPORT, C.NO_REFERRAL),
        (C.IN_SUPPORT, C.CLOSED),
        (C.CLOSED, C.TRIAGED),
        (C.CLOSED, C.ROUTED),
        (C.CLOSED, C.IN_SUPPORT),
        (C.CLOSED, C.AWAITING_CONSENT),
        (C.CLOSED, C.NO_REFERRAL),
    },
    "referral": {
        (A.UNASSIGNED, A.WITHDRAWN),
        (A.OFFERED, A.ACCEPTED),
        (A.OFFERED, A.DECLINED),
        (A.OFFERED, A.EXPIRED),
        (A.OFFERED, A.WITHDRAWN),
        (A.ACCEPTED, A.IN_SUPPORT),
        (A.ACCEPTED, A.CLOSED),
        (A.ACCEPTED, A.WITHDRAWN),
        (A.IN_SUPPORT, A.CLOSED),
        (A.IN_SUPPORT, A.WITHDRAWN),
    },
    "compliance point": {
        (P.PENDING, P.MET),
        (P.PENDING, P.MET_LATE),
        (P.PENDING, P.MISSED),
        (P.PENDING, P.NOT_APPLICABLE),
        (P.MISSED, P.MET),
        (P.MISSED, P.MET_LATE),
        (P.MISSED, P.NOT_APPLICABLE),
        (P.NOT_APPLICABLE, P.PENDING),
    },
    "delivery": {
        (D.PENDING, D.DELIVERED),
        (D.PENDING, D.FAILED),
        (D.DELIVERED, D.PENDING),
        (D.FAILED, D.PENDING),
        (D.PENDING, D.AWAITING_ENDPOINT),  # the endpoint went (410) before it was sent
        (D.AWAITING_ENDPOINT, D.PENDING),  # the provider registered an endpoint
    },
}
TABLES: list[TransitionTable] = [
    CASE_TRANSITIONS,
    ASSIGNMENT_TRANSITIONS,
    POINT_TRANSITIONS,
    DELIVERY_TRANSITIONS,
]
EVERY_PAIR = [
    pytest.param(table, a, b, (a, b) in ALLOWED[table.record], id=f"{table.record}: {a} -> {b}")
    for table in TABLES
    for a, b, _ in table.pairs()
]


@pytest.mark.parametrize(("table", "current", "target", "allowed"), EVERY_PAIR)
def test_each_move_is_allowed_exactly_when_the_domain_allows_it(table, current, target, allowed):
    assert table.can(current, target) is allowed
    if allowed:
        assert table.check(str(current), target) is target
    else:
        with pytest.raises(ForbiddenTransition) as refused:
            table.check(str(current), target)
        assert isinstance(refused.value, ConflictError) and refused.value.status == 409
        assert str(current) in refused.value.detail and str(target) in refused.value.detail


@pytest.mark.parametrize(
    ("table", "terminal"),
    [
        (ASSIGNMENT_TRANSITIONS, {A.CLOSED, A.DECLINED, A.EXPIRED, A.WITHDRAWN}),
        (POINT_TRANSITIONS, {P.MET, P.MET_LATE}),
        (CASE_TRANSITIONS, set()),
        (DELIVERY_TRANSITIONS, set()),
    ],
    ids=lambda v: getattr(v, "record", ""),
)
def test_terminal_states_are_the_ones_nothing_leaves(table, terminal):
    assert table.terminal() == terminal


def test_a_table_naming_a_state_it_does_not_know_is_refused():
    with pytest.raises(ValueError, match="unknown states"):
        TransitionTable("case", CaseStatus, {"archived": {C.ROUTED}})  # type: ignore[dict-item]
