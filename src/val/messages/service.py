"""Asking for a message, listing a case's messages, and Notify's delivery receipts. Services never commit."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from val.alerts.kinds import AlertKind
from val.alerts.service import raise_alert
from val.audit.service import record as audit
from val.auth.roles import Principal
from val.calendar import LONDON
from val.cases.activity import SYSTEM_ACTOR, ActivityKind
from val.cases.store import record_activity
from val.db.base import utcnow
from val.errors import ConflictError, NotFoundError
from val.messages import store
from val.messages.safety import Channel, Facts, Sender, decide
from val.messages.states import MessageStatus
from val.messages.store import MessageRecord
from val.messages.templates import MessageConfig

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CHANNEL_WORDS = {Channel.SMS: "text", Channel.EMAIL: "email", Channel.LETTER: "letter"}


@dataclass(frozen=True)
class Recipient:
    """What a message needs of its case, gathered by whoever knows the case (casework)."""

    case_id: uuid.UUID
    reference: str
    facts: Facts
    given_name: str | None
    postcode: str | None
    owner_name: str | None  # the coordinator who owns the case, as VAL knows them


class MessageRefused(ConflictError):
    """The safety rule refused the message: 409 naming the rule."""

    problem_type = "message-refused"

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail, field=None)
        self.extra = {"rule": rule}


def describe(template: str, channel: str) -> str:
    return f"{template.replace('_', ' ')} by {CHANNEL_WORDS.get(Channel(channel), channel)}"


def ask(
    session: Session,
    principal: Principal | None,
    recipient: Recipient,
    template: str,
    channel: Channel | None,
    config: MessageConfig,
    now: dt.datetime,
    request_id: str | None = None,
) -> MessageRecord:
    """Queue `template` for the victim (by `channel`, or their chosen one for VAL's own, `principal` None),
    to go at the next safe moment; MessageRefused when the safety rule says no."""
    sender = Sender.VAL if principal is None else Sender.COORDINATOR
    verdict = decide(recipient.facts, channel, sender, now, config.hours, LONDON)
    if verdict.rule is not None or verdict.channel is None or verdict.send_at is None:
        raise MessageRefused(str(verdict.rule), verdict.detail)
    if config.template_id(template, verdict.channel) is None:
        raise MessageRefused(
            "no_template_for_channel",
            f"There is no {describe(template, verdict.channel)} in config/messages.toml.",
        )
    message = MessageRecord(
        id=uuid.uuid4(),
        case_id=recipient.case_id,
        template=template,
        channel=verdict.channel.value,
        sender=sender.value,
        requested_by=principal.credential_id if principal is not None else None,
        status=MessageStatus.QUEUED.value,
        rule=None,
        tries=0,
        next_try_at=verdict.send_at,
        lease_until=None,
        notify_id=None,
        failure=None,
        created_at=now,
        sent_at=None,
        receipt_at=None,
        updated_at=now,
    )
    store.add(session, message)
    when = (
        ""
        if verdict.send_at <= now
        else f", to go at {verdict.send_at.astimezone(LONDON):%H:%M on %d %b} (safe time)"
    )
    record_activity(
        session,
        recipient.case_id,
        ActivityKind.MESSAGE,
        f"{describe(template, message.channel)} queued{when}",
        actor=principal.name if principal is not None else SYSTEM_ACTOR,
        at=now,
    )
    if principal is not None:
        audit(session, principal, "message.requested", "message", message.id, request_id)
    return message


def messages_of(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> list[MessageRecord]:
    found = store.of_case(session, case_id)
    audit(session, principal, "message.listed", "case", case_id, request_id, result_count=len(found))
    return found


# Notify's final statuses, and the letter ones that say the same.
RECEIPT_STATUSES = {
    "delivered": MessageStatus.DELIVERED,
    "received": MessageStatus.DELIVERED,  # a letter: posted
    "permanent-failure": MessageStatus.PERMANENT_FAILURE,
    "validation-failed": MessageStatus.PERMANENT_FAILURE,  # a letter Notify could not print
    "temporary-failure": MessageStatus.TEMPORARY_FAILURE,
    "technical-failure": MessageStatus.TECHNICAL_FAILURE,
}


def record_receipt(session: Session, receipt: dict[str, Any]) -> MessageRecord:
    """Notify's receipt for one notification: recorded once, on the message and the case's timeline. A
    repeat, or a status that is not final (a letter `accepted` for printing), changes nothing."""
    now = utcnow()
    message = store.by_notify_id(session, str(receipt["id"]))
    if message is None:
        raise NotFoundError("No message with this Notify id.", field="id")
    target = RECEIPT_STATUSES.get(str(receipt["status"]))
    if target is None or message.status != MessageStatus.SENT:
        return message
    at = receipt.get("completed_at") or now
    if not store.receipt(session, message.id, target, at, now):
        return message  # another receipt got there first
    record_activity(
        session,
        message.case_id,
        ActivityKind.MESSAGE,
        f"{describe(message.template, message.channel)}: {target.value} (GOV.UK Notify)",
        actor=SYSTEM_ACTOR,
        at=now,
    )
    if target is MessageStatus.PERMANENT_FAILURE:
        what = "mobile number" if message.channel == Channel.SMS else "email address"
        if message.channel == Channel.LETTER:
            what = "postal address"
        raise_alert(
            session,
            AlertKind.MESSAGE_UNDELIVERABLE,
            f"GOV.UK Notify could not deliver the {describe(message.template, message.channel)}: the "
            f"{what} on the case does not exist. Check the contact details with the victim another way.",
            case_id=message.case_id,
        )
    return store.one(session, message.id) or message
