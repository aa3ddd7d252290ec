"""Every change of state is a guarded transition: a worker, sweep or person acting on a state that has changed
since they read it changes nothing. On PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import Date, String, literal, select, union_all

from tests.conftest import SECRET_BOX
from val.alerts.models import Alert
from val.compliance.rules import PointStatus, effective_status
from val.compliance.store import effective_status_column
from val.db.session import unit_of_work
from val.db.transitions import LostRace, transition
from val.routing.models import Assignment
from val.routing.states import ASSIGNMENT_TRANSITIONS, AssignmentStatus
from val.webhooks import attempts
from val.webhooks import service as webhooks
from val.webhooks.destinations import DestinationPolicy
from val.webhooks.endpoints import set_endpoint
from val.webhooks.models import WebhookAttempt, WebhookDelivery
from val.webhooks.sender import SendResult

HOSTS = DestinationPolicy(allow_http=False, allow_loopback=False, allowlist=frozenset({"idva.example.org"}))
LAST_TRY = (0.0,)  # a schedule with one attempt: a failed attempt is the last, and would fail the delivery


def _one_idva_delivery(database, submit):
    with unit_of_work(database) as session:
        set_endpoint(session, "wmwa-idva", "https://idva.example.org/hooks", policy=HOSTS, box=SECRET_BOX)
    submit()
    with unit_of_work(database) as session:
        return session.scalars(
            select(WebhookDelivery.id).where(WebhookDelivery.provider_id == "wmwa-idva")
        ).one()


def test_a_late_result_from_a_worker_whose_lease_ran_out_changes_nothing(database, submit):
    delivery_id = _one_idva_delivery(database, submit)
    with unit_of_work(database) as session:  # worker A takes a lease that has run out by the time it sends
        (slow,) = webhooks.claim_many_for_sending(session, [delivery_id], -1, SECRET_BOX)
    with unit_of_work(database) as session:  # worker B takes the delivery after A's lease ran out ...
        (fast,) = webhooks.claim_many_for_sending(session, [delivery_id], 60, SECRET_BOX)
    with unit_of_work(database) as session:  # ... and delivers it
        assert attempts.record(session, [fast], [(fast, SendResult(200, 12, None))], LAST_TRY) == [
            "delivered"
        ]
    with unit_of_work(database) as session:  # then A's timeout arrives: its lease is no longer its own
        late = attempts.record(session, [slow], [(slow, SendResult(None, 15000, "timeout"))], LAST_TRY)
        assert late == []
        assert attempts.record(session, [slow], [(slow, None)], LAST_TRY) == [], (
            "nor may it park the delivery"
        )
        assert attempts.record(session, [slow], [], LAST_TRY) == [], "nor give back a lease not its own"

    with unit_of_work(database) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        alerts = session.scalars(select(Alert.kind)).all()
        tried = session.scalars(select(WebhookAttempt.status_code)).all()
    assert (delivery.status, delivery.attempts, delivery.delivered_at is not None) == ("delivered", 1, True)
    assert "webhook_failed" not in alerts, "no false alarm"
    assert tried == [200]


def test_the_delivery_use_case_records_nothing_for_a_lease_it_lost(database, submit):
    """The same race through the use case a worker runs: A's send outlives its lease, B delivers meanwhile."""
    from val.webhooks.usecases import DeliveryTools, deliver

    delivery_id = _one_idva_delivery(database, submit)

    class OutlivesItsLease:
        def send(self, url, headers, body):
            time.sleep(1.1)  # A's one-second lease runs out while it waits for an answer
            with unit_of_work(database) as session:  # worker B takes the delivery and delivers it
                (fast,) = webhooks.claim_many_for_sending(session, [delivery_id], 60, SECRET_BOX)
                attempts.record(session, [fast], [(fast, SendResult(200, 5, None))], LAST_TRY)
            return SendResult(None, 15000, "timeout")

    tools = DeliveryTools(
        lease_seconds=1, schedule=LAST_TRY, box=SECRET_BOX, sender=OutlivesItsLease(), destinations=HOSTS
    )
    assert deliver(database, [delivery_id], tools) == [], "nothing recorded for a lease lost"
    with unit_of_work(database) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        kinds = session.scalars(select(Alert.kind)).all()
        tried = session.scalars(select(WebhookAttempt.status_code)).all()
    assert (delivery.status, tried) == ("delivered", [200])
    assert "webhook_failed" not in kinds


def test_a_transition_from_a_state_the_record_has_left_is_a_lost_race(database, submit):
    submit()
    with unit_of_work(database) as session:
        assignment = session.scalars(select(Assignment).where(Assignment.status == "offered")).first()
        transition(
            session,
            Assignment,
            ASSIGNMENT_TRANSITIONS,
            AssignmentStatus.OFFERED,
            AssignmentStatus.ACCEPTED,
            Assignment.id == assignment.id,
        )
        assert assignment.status == "accepted", "objects in the session see the change"
    with unit_of_work(database) as session, pytest.raises(LostRace):
        transition(
            session,
            Assignment,
            ASSIGNMENT_TRANSITIONS,
            AssignmentStatus.OFFERED,  # as another actor read it, before the accept
            AssignmentStatus.DECLINED,
            Assignment.id == assignment.id,
        )
    with unit_of_work(database) as session:
        assert session.get(Assignment, assignment.id).status == "accepted"


TODAY = dt.date(2026, 6, 10)
POINTS = [
    (status.value, TODAY + dt.timedelta(days=offset))
    for status in PointStatus
    for offset in (-400, -1, 0, 1, 30)
]


def test_the_effective_status_rule_and_its_sql_twin_agree(database):
    rows = union_all(
        *(
            select(literal(status, String).label("status"), literal(due_on, Date).label("due_on"))
            for status, due_on in POINTS
        )
    ).subquery()
    points = SimpleNamespace(status=rows.c.status, due_on=rows.c.due_on)
    with unit_of_work(database) as session:
        in_sql = session.execute(
            select(rows.c.status, rows.c.due_on, effective_status_column(TODAY, points))  # type: ignore[arg-type]
        ).all()
    assert len(in_sql) == len(POINTS)
    for status, due_on, effective in in_sql:
        due = due_on if isinstance(due_on, dt.date) else dt.date.fromisoformat(due_on)
        assert effective == effective_status(status, due, TODAY), (status, due)
