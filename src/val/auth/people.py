"""People who sign in through their organisation: recorded when first seen, disabled and enabled by an admin.

A person is a principal of their own. Their id in VAL is what audit events, timeline entries, notes, ownership
and contact attempts carry, so `owner=me` and the subject-access log name the same person across sign-ins."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from val.auth import store
from val.auth.claims import Identity
from val.auth.roles import Principal, Role
from val.auth.store import PersonRecord
from val.db.base import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# How stale `last_seen_at` may get before a request writes it again: a person's every request is not a write.
LAST_SEEN_GRAIN = dt.timedelta(minutes=5)


class PersonError(ValueError):
    pass


class PersonDisabled(Exception):
    """An admin disabled this person: refused at once, whatever their token says."""


def recognise(session: Session, identity: Identity, role: Role) -> Principal:
    """The principal for a person whose token was verified: recorded the first time they are seen, their name,
    email and role kept as their latest token says."""
    now = utcnow()
    found = store.person(session, identity.issuer, identity.subject)
    if found is None:
        store.add_person(
            session,
            {
                "id": uuid.uuid4(),
                "issuer": identity.issuer,
                "subject": identity.subject,
                "name": identity.name,
                "email": identity.email,
                "role": str(role),
                "first_seen_at": now,
                "last_seen_at": now,
                "disabled_at": None,
            },
        )
        found = store.person(session, identity.issuer, identity.subject)
        if found is None:  # pragma: no cover - the insert or a concurrent one made it
            raise PersonError("the person could not be recorded")
    if found.disabled_at is not None:
        raise PersonDisabled
    changes: dict[str, Any] = {
        name: value
        for name, value in (("name", identity.name), ("email", identity.email), ("role", str(role)))
        if getattr(found, name) != value
    }
    if now - found.last_seen_at >= LAST_SEEN_GRAIN:
        changes["last_seen_at"] = now
    if changes:
        store.change_person(session, found.id, **changes)
        found = dataclasses.replace(found, **changes)
    return Principal(credential_id=found.id, name=found.name, role=role, person=True)


def every_person(session: Session) -> list[PersonRecord]:
    return store.every_person(session)


def set_disabled(session: Session, subject: str, disabled: bool) -> PersonRecord:
    """Disable (or enable again) the person with this subject; refused when none or several have it."""
    found = store.people_with_subject(session, subject)
    if not found:
        raise PersonError(f"no person with subject {subject!r} has signed in")
    if len(found) > 1:
        raise PersonError(f"several issuers name a person {subject!r}; VAL has one issuer at a time")
    person = found[0]
    if (person.disabled_at is not None) != disabled:
        store.change_person(session, person.id, disabled_at=utcnow() if disabled else None)
    return person
