"""A case's history as one list, oldest first (docs/casework.md), read from the records that keep each fact: the
case and its triage, assignments, webhook deliveries, events, points, contact attempts, notes (never their
text) and the case's own activity."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.calendar import LONDON
from val.cases import store as cases
from val.cases.activity import SYSTEM_ACTOR, ActivityKind
from val.casework.store import history
from val.casework.store.history import DeliveryFact
from val.compliance import store as compliance
from val.compliance.store import PointRecord
from val.routing import store as routing
from val.routing.store import AssignmentRecord

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Item = dict[str, Any]


class RecordKind(StrEnum):
    """What the timeline reads from the records that keep each fact (the case's own activity adds
    ActivityKind)."""

    RECEIVED = "received"
    TRIAGED = "triaged"
    OFFERED = "offered"
    REROUTED = "rerouted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    OUTCOME = "outcome"
    WEBHOOK_DELIVERED = "webhook_delivered"
    WEBHOOK_FAILED = "webhook_failed"
    EVENT = "event"
    POINT_OPENED = "point_opened"
    POINT_MET = "point_met"
    POINT_MISSED = "point_missed"
    CONTACT_ATTEMPT = "contact_attempt"
    NOTE = "note"


# Every kind a timeline item may have.
TIMELINE_KINDS: tuple[str, ...] = tuple(dict.fromkeys([*RecordKind, *ActivityKind]))


def _item(
    at: dt.datetime,
    kind: RecordKind | ActivityKind,
    summary: str,
    actor: str,
    recorded: dt.datetime | None = None,
) -> Item:
    return {"at": at, "kind": str(kind), "summary": summary, "actor": actor, "_recorded": recorded or at}


def _in_order(item: Item) -> tuple[dt.datetime, dt.datetime]:
    """By when it happened; within one second, by when VAL recorded it. People give a contact attempt's time to
    the second (or the minute), so "10:00:05" must not sort before an owner change VAL recorded at 10:00:05.3
    when the attempt was recorded after it."""
    at: dt.datetime = item["at"]
    return at.replace(microsecond=0), item["_recorded"]


def timeline(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> list[Item]:
    case, decision, _, _ = cases.bundle(session, case_id)
    names = history.credential_names(session)
    items = [
        _item(
            case.received_at,
            RecordKind.RECEIVED,
            f"referral {case.source_system} received",
            names.get(case.submitted_by, case.source_system),
        ),
        _item(
            decision.decided_at,
            RecordKind.TRIAGED,
            f"{', '.join(decision.crime_types)}; risk {decision.risk_level or 'not assessed'}; "
            f"enhanced rights {'yes' if decision.enhanced_rights else 'no'}",
            SYSTEM_ACTOR,
        ),
    ]
    assignments = routing.of_case(session, case_id)
    for assignment in assignments:
        items += list(_assignment_items(assignment))
    items += list(_delivery_items(history.deliveries_of(session, [a.id for a in assignments])))
    items += [
        _item(
            e.occurred_at, RecordKind.EVENT, e.type.replace("_", " "), names.get(e.recorded_by, SYSTEM_ACTOR)
        )
        for e in compliance.events_of_case(session, case_id)
    ]
    for point in compliance.points_of_case(session, case_id):
        items += list(_point_items(point))
    items += [
        _item(
            a.at,
            RecordKind.CONTACT_ATTEMPT,
            f"{a.channel.replace('_', ' ')}: {a.outcome.replace('_', ' ')}",
            names.get(a.recorded_by, SYSTEM_ACTOR),
            a.recorded_at,
        )
        for a in history.attempts_of(session, case_id)
    ]
    items += [
        _item(
            n.created_at, RecordKind.NOTE, "note added" + (" (a correction)" if n.corrects else ""), n.author
        )
        for n in history.notes_of(session, case_id)
    ]
    items += [
        _item(a.at, ActivityKind(a.kind), a.summary, a.actor) for a in cases.activity_of(session, case_id)
    ]
    items.sort(key=_in_order)
    for item in items:
        del item["_recorded"]
    audit(session, principal, "case.timeline_read", "case", case_id, request_id, result_count=len(items))
    return items


def _assignment_items(a: AssignmentRecord) -> Iterator[Item]:
    provider = a.provider_id or "coordinators"
    rerouted = a.replaces_id is not None and a.because.startswith("rerouted by")
    yield _item(
        a.offered_at,
        RecordKind.REROUTED if rerouted else RecordKind.OFFERED,
        f"{a.service} offered to {provider}",
        SYSTEM_ACTOR,
    )
    if a.answered_at is not None:
        if a.decline_reason is not None:
            yield _item(a.answered_at, RecordKind.DECLINED, f"{a.service} declined by {provider}", provider)
        else:
            yield _item(a.answered_at, RecordKind.ACCEPTED, f"{a.service} accepted by {provider}", provider)
    outcome = a.outcome or {}
    if a.status == "expired":
        yield _item(
            a.updated_at, RecordKind.EXPIRED, f"{a.service} not answered by {provider} in time", SYSTEM_ACTOR
        )
    if "withdrawn" in outcome:
        yield _item(
            dt.datetime.fromisoformat(outcome["at"]),
            RecordKind.WITHDRAWN,
            f"{a.service} withdrawn from {provider}: {outcome['withdrawn']}",
            SYSTEM_ACTOR,
        )
    if "outcome" in outcome:
        yield _item(
            dt.datetime.fromisoformat(outcome["at"]),
            RecordKind.OUTCOME,
            f"{a.service}: {outcome['outcome'].replace('_', ' ')}",
            provider,
        )


def _delivery_items(deliveries: list[DeliveryFact]) -> Iterator[Item]:
    for delivery in deliveries:
        if delivery.delivered_at is not None:
            yield _item(
                delivery.delivered_at,
                RecordKind.WEBHOOK_DELIVERED,
                f"{delivery.event_type} delivered to {delivery.provider_id}",
                SYSTEM_ACTOR,
            )
        elif delivery.status == "failed":
            yield _item(
                delivery.last_attempt_at or delivery.created_at,
                RecordKind.WEBHOOK_FAILED,
                f"{delivery.event_type} could not be delivered to {delivery.provider_id}",
                SYSTEM_ACTOR,
            )


def _point_items(p: PointRecord) -> Iterator[Item]:
    yield _item(p.triggered_at, RecordKind.POINT_OPENED, f"{p.code} due {p.due_on.isoformat()}", SYSTEM_ACTOR)
    if p.status in ("met", "met_late") and p.fulfilled_at is not None:
        late = " late" if p.status == "met_late" else ""
        yield _item(p.fulfilled_at, RecordKind.POINT_MET, f"{p.code} met{late}", SYSTEM_ACTOR)
    elif p.status == "missed":
        # Missed at the end of its due day, London time.
        end = dt.datetime.combine(p.due_on + dt.timedelta(days=1), dt.time(0), LONDON).astimezone(dt.UTC)
        yield _item(end, RecordKind.POINT_MISSED, f"{p.code} missed", SYSTEM_ACTOR)
