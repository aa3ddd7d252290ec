"""Coordinator casework on one case: read it whole, change its consent, owner and safe contact details,
record and list the events of its journey. Runs in the caller's unit of work; never commits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import uuid
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases import store as cases
from val.cases.activity import ActivityKind
from val.cases.normalise import phone_e164
from val.cases.store import CaseRecord
from val.casework.pages import page_of_case
from val.casework.store import records
from val.casework.store.records import CaseDetail
from val.compliance import duties
from val.compliance import service as compliance
from val.compliance.store import EventRecord
from val.db.base import utcnow
from val.db.paging import Page
from val.db.settle import settle
from val.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    PreconditionFailed,
    PreconditionRequired,
)
from val.routing.facts import facts_of_case
from val.routing.offers import notify_updated
from val.routing.service import follow_consent
from val.rulebook import Rulebook
from val.triage.domain import Consent

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The Victims' Code right that refused consent sets aside, and the reason recorded for it.
REFERRAL_POINT = "R4_REFERRAL_TO_SUPPORT"
REFUSALS = {Consent.DECLINED: "consent_declined", Consent.OPTED_OUT: "opted_out"}


# More tags than a client with a few cached versions sends: a list longer is an enumeration.
MAX_IF_MATCH_TAGS = 4


# A read's ETag adds its content's hash to the version tag (val.http.conditional): If-Match compares versions.
_CONTENT_PART = re.compile(r'\.[0-9a-f]{16}"$')


def version_of(tag: str) -> str:
    """The version part of a case's tag, as If-Match compares it."""
    return _CONTENT_PART.sub('"', tag)


def etag_of(case: CaseRecord) -> str:
    """The version, and an HMAC of id and version keyed by the case's own secret: a tag cannot be guessed."""
    key = bytes.fromhex(case.etag_secret) if case.etag_secret else case.id.bytes
    digest = hmac.new(key, f"{case.id}:{case.version}".encode(), hashlib.sha256).hexdigest()[:24]
    return f'"{case.version}-{digest}"'


def read_case(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> CaseDetail:
    """The whole case, for a coordinator, as this unit of work leaves it (settled first); the read itself
    is audited. 404 when there is no such case."""
    settle(session)
    case = records.detail(session, case_id)
    audit(session, principal, "case.read", "case", case.id, request_id)
    return case


def _check_version(case: CaseRecord, if_match: str | None, *, required: bool) -> None:
    if if_match is None:
        if required:
            raise PreconditionRequired(
                "Changing safe contact details needs If-Match with the case's ETag (GET the case first).",
                field="If-Match",
            )
        return
    tags = {version_of(t.strip()) for t in if_match.split(",")}
    if len(tags) > MAX_IF_MATCH_TAGS:
        raise DomainError(
            f"If-Match may name at most {MAX_IF_MATCH_TAGS} tags: send the case's ETag from your last GET.",
            field="If-Match",
        )
    if "*" in tags and required:
        # `*` only says "the case exists": a blind change of where it is safe to reach a victim is still blind.
        raise PreconditionRequired(
            "Changing safe contact details needs If-Match with the case's own ETag, not `*` (GET the case first).",
            field="If-Match",
        )
    # If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
    if "*" not in tags and etag_of(case) not in tags:
        raise PreconditionFailed("The case has changed since it was read; GET it again.", field="If-Match")


def update_case(
    session: Session,
    principal: Principal,
    rulebook: Rulebook,
    case_id: uuid.UUID,
    patch: dict[str, Any],
    if_match: str | None,
    request_id: str | None,
) -> CaseDetail:
    """PATCH: consent, owner and safe contact, each with its effects, as one new version of the case."""
    case = cases.case_of(session, case_id, for_update=True)
    _check_version(case, if_match, required="contact" in patch)
    now = utcnow()
    if "consent" in patch:
        change_consent(
            session,
            principal,
            rulebook,
            case_id,
            patch["consent"]["support_referral"],
            patch["consent"].get("recorded_at") or now,
        )
    if "owner" in patch:
        _change_owner(session, principal, case, patch["owner"], now)
    if "contact" in patch:
        change_contact(session, principal, case_id, patch["contact"], now)
    cases.new_version(session, case.id)
    audit(session, principal, "case.updated", "case", case.id, request_id)
    return read_case(session, principal, case.id, request_id)


def change_consent(
    session: Session,
    principal: Principal,
    rulebook: Rulebook,
    case_id: uuid.UUID,
    consent: str,
    at: dt.datetime,
) -> None:
    """Consent given → the services held back are offered and the referral duty is owed again; refused →
    what providers hold is withdrawn (MARAC excepted for high-risk domestic abuse) and the referral duty is
    set aside. The case's status follows."""
    case, decision, victim, offence = cases.bundle(session, case_id, for_update=True)
    if case.closed_at is not None:
        raise ConflictError("The case is closed; reopen it before changing consent.", field="consent")
    before = facts_of_case(rulebook.routing, case, decision, victim, offence)
    previous = case.consent_support_referral
    cases.change(session, case.id, consent_support_referral=consent, consent_recorded_at=at)
    case = dataclasses.replace(case, consent_support_referral=consent, consent_recorded_at=at)
    after = facts_of_case(rulebook.routing, case, decision, victim, offence)
    now = utcnow()
    follow_consent(session, rulebook.routing, case, decision.risk_level, before, after, now)
    refusal = REFUSALS.get(Consent(consent))
    if refusal:
        duties.set_not_applicable(session, case.id, REFERRAL_POINT, refusal, now)
    elif after.referral_permitted and not before.referral_permitted:
        duties.owe_again(session, rulebook.compliance, case.id, REFERRAL_POINT, at)
    cases.record_activity(
        session,
        case.id,
        ActivityKind.CONSENT_CHANGED,
        f"support referral consent {previous} → {consent}",
        actor=principal.name,
        at=now,
    )


def _change_owner(
    session: Session, principal: Principal, case: CaseRecord, owner: str | None, now: dt.datetime
) -> None:
    if owner is None:
        owner_id, name = None, "nobody"
    elif owner == "me":
        owner_id, name = principal.credential_id, principal.name
    else:
        found = records.active_coordinator(session, owner)
        if found is None:
            raise InvalidInputError("No active coordinator credential has this name.", field="owner")
        owner_id, name = found
    if owner_id != case.owner_id:
        cases.change(session, case.id, owner_id=owner_id)
        cases.record_activity(
            session, case.id, ActivityKind.OWNER_CHANGED, f"owner: {name}", actor=principal.name, at=now
        )


def change_contact(
    session: Session, principal: Principal, case_id: uuid.UUID, changes: dict[str, Any], now: dt.datetime
) -> None:
    """New safe-contact details; every provider holding the case hears at once (`referral.updated`)."""
    cases.change_contact(
        session, case_id, changes, phone_e164(changes["phone"]) if "phone" in changes else None
    )
    notify_updated(session, case_id, ["contact"])
    cases.record_activity(
        session,
        case_id,
        ActivityKind.CONTACT_CHANGED,
        f"contact details changed: {', '.join(sorted(changes))}",
        actor=principal.name,
        at=now,
    )


def record_event(
    session: Session,
    principal: Principal,
    rulebook: Rulebook,
    case_id: uuid.UUID,
    event_type: str,
    occurred_at: dt.datetime,
    details: dict[str, Any],
    request_id: str | None,
) -> tuple[EventRecord, list[dict[str, Any]]]:
    """An event of the case's journey; the Victims' Code points it triggers open with their deadlines."""
    return compliance.record_event(
        session, principal, rulebook.compliance, case_id, event_type, occurred_at, details, request_id
    )


def list_events(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    limit: int,
    after: list[Any] | None,
    request_id: str | None,
) -> Page[EventRecord]:
    """Oldest first."""
    return page_of_case(
        session,
        principal,
        EventRecord,
        case_id,
        descending=False,
        limit=limit,
        after=after,
        action="case.events_read",
        request_id=request_id,
    )
