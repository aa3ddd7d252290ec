"""The worker's side: due messages are leased, checked against the safety rule again with the case as it is now,
sent through Notify, and what Notify answered is recorded under the lease. A failure to reach Notify is tried
again on `message_retry_schedule`; Notify's refusal (400, 403) fails the message at once with its reason and an
alert. A crash after Notify accepted a message but before that was recorded sends it again when the lease runs
out: Notify has no idempotency key, and a second text is safer than a lost one only because both say the same."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from val.alerts.kinds import AlertKind
from val.alerts.service import raise_alert
from val.auth.store import name_of
from val.calendar import LONDON
from val.cases.activity import SYSTEM_ACTOR, ActivityKind
from val.cases.store import record_activity
from val.db.base import utcnow
from val.db.session import Database, unit_of_work
from val.messages import store
from val.messages.notify import NotifyGateway, NotifyRefused, NotifyUnavailable
from val.messages.safety import Channel, Sender, decide
from val.messages.service import Recipient, describe
from val.messages.states import MessageStatus
from val.messages.store import MessageRecord
from val.messages.templates import MessageConfig, first_name, personalisation

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BATCH = 20
# A safe window that moved (the victim's safe times changed) further than this postpones the message.
LATE_ENOUGH = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class SendingTools:
    gateway: NotifyGateway
    config: MessageConfig
    schedule: tuple[float, ...]
    lease_seconds: int
    recipient_of: Callable[[Session, uuid.UUID], Recipient]
    # Fields a template needs that only another feature can make (the feedback link): template → maker.
    extra_fields: dict[str, Callable[[Session, MessageRecord, dt.datetime], dict[str, str]]]


@dataclass(frozen=True)
class Outgoing:
    message: MessageRecord
    template_id: str
    to: str | None
    fields: dict[str, str]


def send_due(database: Database, tools: SendingTools) -> list[str]:
    """Every message due now, each sent once: what became of each (sent, failed, retry, cancelled, …)."""
    now = utcnow()
    with unit_of_work(database) as session:
        leases = store.claim_due(session, now, now + dt.timedelta(seconds=tools.lease_seconds), BATCH)
    return [_send_one(database, tools, message_id, lease) for message_id, lease in leases.items()]


def _send_one(database: Database, tools: SendingTools, message_id: uuid.UUID, lease: dt.datetime) -> str:
    with unit_of_work(database) as session:
        prepared = _prepare(session, tools, message_id, lease)
    if isinstance(prepared, str):
        return prepared
    try:
        notify_id = tools.gateway.send(
            Channel(prepared.message.channel),
            prepared.template_id,
            prepared.to,
            prepared.fields,
            str(message_id),
        )
    except NotifyRefused as refused:
        with unit_of_work(database) as session:
            _failed(
                session,
                prepared.message,
                lease,
                f"GOV.UK Notify refused it ({refused.status}): {refused.reason}",
            )
        return "failed"
    except NotifyUnavailable as unavailable:
        with unit_of_work(database) as session:
            return _later(session, tools, prepared.message, lease, unavailable)
    with unit_of_work(database) as session:
        if store.sent(session, message_id, lease, notify_id, utcnow()):
            _on_timeline(session, prepared.message, "sent to GOV.UK Notify")
    return "sent"


def _prepare(
    session: Session, tools: SendingTools, message_id: uuid.UUID, lease: dt.datetime
) -> Outgoing | str:
    message = store.one(session, message_id)
    if message is None or message.status != MessageStatus.QUEUED or message.lease_until != lease:
        return "not_ours"
    now = utcnow()
    recipient = tools.recipient_of(session, message.case_id)
    channel = Channel(message.channel)
    verdict = decide(recipient.facts, channel, Sender(message.sender), now, tools.config.hours, LONDON)
    if verdict.rule is not None:
        store.ended(
            session,
            message.id,
            lease,
            MessageStatus.CANCELLED,
            now,
            rule=verdict.rule.value,
            failure=verdict.detail,
        )
        _on_timeline(session, message, f"cancelled: {verdict.detail}")
        return "cancelled"
    if verdict.send_at is not None and verdict.send_at > now + LATE_ENOUGH:
        store.due_again(session, message.id, lease, verdict.send_at, now)
        return "postponed"
    template_id = tools.config.template_id(message.template, channel)
    if template_id is None:
        _failed(session, message, lease, f"config/messages.toml has no {describe(message.template, channel)}")
        return "failed"
    make_extra = tools.extra_fields.get(message.template)
    fields = personalisation(
        tools.config,
        message.template,
        channel,
        given_name=recipient.given_name,
        reference=recipient.reference,
        # A coordinator's message names them; VAL's own names the case's owner, if it has one.
        coordinator_first_name=first_name(name_of(session, message.requested_by) or recipient.owner_name),
        address_lines=recipient.facts.address_lines,
        postcode=recipient.postcode,
        **(make_extra(session, message, now) if make_extra is not None else {}),
    )
    to = {Channel.SMS: recipient.facts.phone, Channel.EMAIL: recipient.facts.email}.get(channel)
    return Outgoing(message, template_id, to, fields)


def _failed(session: Session, message: MessageRecord, lease: dt.datetime, reason: str) -> None:
    if store.ended(
        session, message.id, lease, MessageStatus.FAILED, utcnow(), failure=reason[:300], tried=True
    ):
        _on_timeline(session, message, f"failed: {reason}")
        raise_alert(
            session,
            AlertKind.MESSAGE_FAILED,
            f"The {describe(message.template, message.channel)} was not sent. {reason}",
            case_id=message.case_id,
        )


def _later(
    session: Session,
    tools: SendingTools,
    message: MessageRecord,
    lease: dt.datetime,
    error: NotifyUnavailable,
) -> str:
    tries = message.tries + 1
    if tries >= len(tools.schedule):
        _failed(
            session, message, lease, f"GOV.UK Notify did not take it after {tries} tries ({error.status})."
        )
        return "failed"
    now = utcnow()
    at = now + dt.timedelta(seconds=tools.schedule[tries])
    store.due_again(session, message.id, lease, at, now, failure=f"{error.status}: {error.reason}"[:300])
    return "retry"


def _on_timeline(session: Session, message: MessageRecord, what: str) -> None:
    record_activity(
        session,
        message.case_id,
        ActivityKind.MESSAGE,
        f"{describe(message.template, message.channel)} {what}",
        actor=SYSTEM_ACTOR,
        at=utcnow(),
    )
