"""Messages in the database: the outbox row, the worker's lease, what Notify answered and its receipts. Plain
values in, frozen records out; a status changes only through the transition table, and once a worker holds a
message's lease its writes are guarded by that lease too, so a worker whose lease ran out changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.orm import Session

from val.db.base import rows_affected, table_of
from val.db.records import columns_for, record_of, row_of
from val.db.transitions import move_all
from val.messages.models import Message
from val.messages.states import MESSAGE_TRANSITIONS, MessageStatus

_M = table_of(Message).c


@dataclass(frozen=True)
class MessageRecord:
    id: uuid.UUID
    case_id: uuid.UUID
    template: str
    channel: str
    sender: str
    requested_by: uuid.UUID | None
    status: str
    rule: str | None
    tries: int
    next_try_at: dt.datetime | None
    lease_until: dt.datetime | None
    notify_id: str | None
    failure: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    receipt_at: dt.datetime | None
    updated_at: dt.datetime


_COLUMNS = columns_for(Message, MessageRecord)


def add(session: Session, message: MessageRecord) -> None:
    session.execute(insert(table_of(Message)), [row_of(message)])


def of_case(session: Session, case_id: uuid.UUID) -> list[MessageRecord]:
    query = select(*_COLUMNS).where(Message.case_id == case_id).order_by(Message.created_at, Message.id)
    return [record_of(MessageRecord, row) for row in session.execute(query)]


def one(session: Session, message_id: uuid.UUID) -> MessageRecord | None:
    row = session.execute(select(*_COLUMNS).where(Message.id == message_id)).first()
    return record_of(MessageRecord, row) if row is not None else None


def by_notify_id(session: Session, notify_id: str) -> MessageRecord | None:
    row = session.execute(select(*_COLUMNS).where(Message.notify_id == notify_id)).first()
    return record_of(MessageRecord, row) if row is not None else None


def claim_due(
    session: Session, now: dt.datetime, until: dt.datetime, limit: int
) -> dict[uuid.UUID, dt.datetime]:
    """Lease the messages due now and not held by another worker: id → the lease, which guards every later
    write (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serialises writers)."""
    due = (
        select(Message.id)
        .where(
            Message.status == MessageStatus.QUEUED,
            Message.next_try_at <= now,
            or_(Message.lease_until.is_(None), Message.lease_until < now),
        )
        .order_by(Message.next_try_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(due))
    if ids:
        session.execute(update(Message).where(Message.id.in_(ids)).values(lease_until=until))
    return dict.fromkeys(ids, until)


def _ours(message_id: uuid.UUID, lease: dt.datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (_M.id == message_id, _M.lease_until == lease)


def sent(
    session: Session, message_id: uuid.UUID, lease: dt.datetime, notify_id: str, now: dt.datetime
) -> bool:
    return bool(
        move_all(
            session,
            table_of(Message),
            MESSAGE_TRANSITIONS,
            MessageStatus.QUEUED,
            MessageStatus.SENT,
            *_ours(message_id, lease),
            notify_id=notify_id,
            sent_at=now,
            tries=_M.tries + 1,
            lease_until=None,
            updated_at=now,
        )
    )


def ended(
    session: Session,
    message_id: uuid.UUID,
    lease: dt.datetime | None,
    target: MessageStatus,
    now: dt.datetime,
    *,
    failure: str | None = None,
    rule: str | None = None,
    tried: bool = False,
) -> bool:
    """A queued message failed or cancelled (under the worker's lease, when one holds it)."""
    where = [_M.id == message_id] + ([_M.lease_until == lease] if lease is not None else [])
    return bool(
        move_all(
            session,
            table_of(Message),
            MESSAGE_TRANSITIONS,
            MessageStatus.QUEUED,
            target,
            *where,
            failure=failure,
            rule=rule,
            tries=_M.tries + (1 if tried else 0),
            lease_until=None,
            updated_at=now,
        )
    )


def due_again(
    session: Session,
    message_id: uuid.UUID,
    lease: dt.datetime,
    at: dt.datetime,
    now: dt.datetime,
    *,
    failure: str | None = None,
) -> bool:
    """Queued again, due at `at`: after a failed try (`failure`: Notify could not take it now, a try counted),
    or because the victim's safe times moved (no try counted)."""
    tried = {"tries": Message.tries + 1, "failure": failure} if failure is not None else {}
    changed = session.execute(
        update(Message)
        .where(*_ours(message_id, lease), Message.status == MessageStatus.QUEUED)
        .values(next_try_at=at, lease_until=None, updated_at=now, **tried)
    )
    return rows_affected(changed) == 1


def receipt(
    session: Session, message_id: uuid.UUID, target: MessageStatus, at: dt.datetime, now: dt.datetime
) -> bool:
    return bool(
        move_all(
            session,
            table_of(Message),
            MESSAGE_TRANSITIONS,
            MessageStatus.SENT,
            target,
            _M.id == message_id,
            receipt_at=at,
            updated_at=now,
        )
    )


def forget_details(session: Session, case_ids: list[uuid.UUID]) -> int:
    """Retention: what could tie a message to a person outside VAL (Notify's id, its reason) goes; the
    message's template, channel and status stay for the figures."""
    changed = session.execute(
        update(Message).where(Message.case_id.in_(case_ids)).values(notify_id=None, failure=None)
    )
    return rows_affected(changed)
