"""Messages to a case's victim, as casework asks for them: what the safety rule needs to know of the case (its
consent, the victim's age and contact, the last contact attempt), a coordinator's request, and VAL's own
messages after the first contact that reached the victim and at closure."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from val.auth.roles import Principal
from val.auth.store import name_of
from val.cases import store as cases
from val.cases.activity import SYSTEM_ACTOR, ActivityKind
from val.casework.store import records
from val.db.base import utcnow
from val.messages import service as messages
from val.messages.safety import Channel, Facts
from val.messages.service import MessageRefused, Recipient
from val.messages.store import MessageRecord
from val.messages.templates import MessageConfig

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def recipient_of(session: Session, case_id: uuid.UUID) -> Recipient:
    bundle = cases.bundle(session, case_id)
    case, victim = bundle.case, bundle.victim
    contact = victim.contact or {}
    facts = Facts(
        consent=case.consent_support_referral,
        date_of_birth=victim.date_of_birth if case.anonymised_at is None else None,
        last_attempt=next(iter(records.latest_outcomes(session, case_id)), None),
        phone=contact.get("phone"),
        email=contact.get("email"),
        address_lines=tuple(contact.get("address_lines") or ()),
        phone_known_to_suspect=contact.get("phone_known_to_suspect"),
        safe_times=contact.get("safe_times"),
        preferred_channel=contact.get("preferred_channel"),
    )
    return Recipient(
        case.id,
        case.reference,
        facts,
        victim.given_name,
        victim.postcode,
        name_of(session, case.owner_id),
    )


def send(
    session: Session,
    principal: Principal,
    config: MessageConfig,
    case_id: uuid.UUID,
    template: str,
    channel: Channel,
    request_id: str | None,
) -> MessageRecord:
    """A coordinator's message: queued, or 409 naming the safety rule that refused it."""
    recipient = recipient_of(session, case_id)
    return messages.ask(session, principal, recipient, template, channel, config, utcnow(), request_id)


def list_for_case(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> list[MessageRecord]:
    cases.case_of(session, case_id)  # 404 for a case that does not exist
    return messages.messages_of(session, principal, case_id, request_id)


def send_on_our_own(
    session: Session, config: MessageConfig, case_id: uuid.UUID, trigger: str
) -> MessageRecord | None:
    """VAL's own message for `trigger` (first_contact, closure), if configuration names one, by the victim's
    chosen channel. When the safety rule refuses, nothing is queued and the timeline says why."""
    template = config.automatic.get(trigger)
    if template is None:
        return None
    try:
        return messages.ask(session, None, recipient_of(session, case_id), template, None, config, utcnow())
    except MessageRefused as refused:
        cases.record_activity(
            session,
            case_id,
            ActivityKind.MESSAGE,
            f"{template.replace('_', ' ')} not sent ({refused.extra['rule']}): {refused.detail}",
            actor=SYSTEM_ACTOR,
            at=utcnow(),
        )
        return None
