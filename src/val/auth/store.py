"""Credentials, people and failed authentications in the database: the one module of auth that speaks SQL
(docs/architecture.md, "One way to the database"). A credential leaves as a record without its key's hash."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from val.auth.models import AuthFailure, Credential, Person
from val.db.base import table_of
from val.db.records import columns_for, record_of
from val.db.session import plain_rows
from val.providers.models import Provider


@dataclass(frozen=True)
class CredentialRecord:
    id: uuid.UUID
    name: str
    role: str
    provider_id: str | None
    source_systems: list[str] | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None


_CREDENTIAL = columns_for(Credential, CredentialRecord)
_ADD = {
    dialect: make_insert(table_of(Credential)).on_conflict_do_nothing().returning(table_of(Credential).c.id)
    for dialect, make_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def add(session: Session, row: dict[str, Any]) -> bool:
    """A new credential; False (nothing written) when its name or key hash is taken."""
    return session.execute(_ADD[session.get_bind().dialect.name], row).first() is not None


def provider_exists(session: Session, provider_id: str) -> bool:
    return session.scalar(select(Provider.id).where(Provider.id == provider_id)) is not None


def by_name(session: Session, name: str) -> CredentialRecord | None:
    row = session.execute(select(*_CREDENTIAL).where(Credential.name == name)).first()
    return record_of(CredentialRecord, row) if row is not None else None


def change(session: Session, credential_id: uuid.UUID, **values: Any) -> None:
    """Set the credential's source systems or when it was revoked."""
    session.execute(update(Credential).where(Credential.id == credential_id).values(**values))


def any_named_like(session: Session, prefix: str) -> bool:
    """Whether a credential's name starts with `prefix`."""
    found = session.scalar(
        select(Credential.id).where(Credential.name.startswith(prefix, autoescape=True)).limit(1)
    )
    return found is not None


def every_credential(session: Session) -> list[CredentialRecord]:
    """Oldest first."""
    rows = session.execute(select(*_CREDENTIAL).order_by(Credential.created_at))
    return [record_of(CredentialRecord, row) for row in rows]


# Built once: this runs in every request.
_BY_KEY_HASH = select(
    Credential.id, Credential.name, Credential.role, Credential.provider_id, Credential.source_systems
).where(Credential.key_hash == bindparam("key_hash"), Credential.revoked_at.is_(None))


def active_by_key_hash(
    session: Session, key_hash: str
) -> tuple[uuid.UUID, str, str, str | None, list[str] | None] | None:
    """(id, name, role, provider, source systems) of the active credential whose key hashes to `key_hash`."""
    row = plain_rows(session, _BY_KEY_HASH, {"key_hash": key_hash}).first()
    if row is None:
        return None
    return row.id, row.name, row.role, row.provider_id, row.source_systems


_FAILURES = table_of(AuthFailure)
_NTH_LATEST = (
    select(_FAILURES.c.at)
    .where(_FAILURES.c.client == bindparam("client"))
    .order_by(_FAILURES.c.at.desc())
    .limit(1)
    .offset(bindparam("skip"))
)
_RECORD = insert(_FAILURES)
_FORGET = delete(_FAILURES).where(_FAILURES.c.at < bindparam("before"))


def nth_latest_failure(session: Session, client: str, n: int) -> dt.datetime | None:
    """When `client` failed for the n-th latest time (1 = the latest), read in the session's transaction."""
    at: dt.datetime | None = plain_rows(session, _NTH_LATEST, {"client": client, "skip": n - 1}).scalar()
    return at


def record_failure(engine: Engine, client: str, at: dt.datetime, forget_before: dt.datetime) -> None:
    """In a transaction of its own, forgetting failures older than `forget_before`."""
    with engine.begin() as connection:
        connection.execute(_FORGET, {"before": forget_before})
        connection.execute(_RECORD, {"id": uuid.uuid4(), "client": client[:64], "at": at})


# Everyone who can act in VAL, keys and people alike, by the id audit events, notes and ownership carry:
# (id, name, role, active). A person's role is the one their last token gave.
PRINCIPALS = union_all(
    select(Credential.id, Credential.name, Credential.role, Credential.revoked_at.is_(None).label("active")),
    select(Person.id, Person.name, Person.role, Person.disabled_at.is_(None).label("active")),
).subquery("principals")


@dataclass(frozen=True)
class PersonRecord:
    id: uuid.UUID
    issuer: str
    subject: str
    name: str
    email: str | None
    role: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    disabled_at: dt.datetime | None


_PERSON = columns_for(Person, PersonRecord)
_PERSON_BY_SUBJECT = select(*_PERSON).where(
    Person.issuer == bindparam("issuer"), Person.subject == bindparam("subject")
)
_ADD_PERSON = {
    dialect: make_insert(table_of(Person)).on_conflict_do_nothing(index_elements=["issuer", "subject"])
    for dialect, make_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def person(session: Session, issuer: str, subject: str) -> PersonRecord | None:
    row = plain_rows(session, _PERSON_BY_SUBJECT, {"issuer": issuer, "subject": subject}).first()
    return record_of(PersonRecord, row) if row is not None else None


def add_person(session: Session, row: dict[str, Any]) -> None:
    """A person seen for the first time; nothing when a concurrent request recorded them first."""
    session.execute(_ADD_PERSON[session.get_bind().dialect.name], row)


def change_person(session: Session, person_id: uuid.UUID, **values: Any) -> None:
    session.execute(update(Person).where(Person.id == person_id).values(**values))


def people_with_subject(session: Session, subject: str) -> list[PersonRecord]:
    """Everyone with this subject, whichever issuer named them (a deployment has one issuer)."""
    rows = session.execute(select(*_PERSON).where(Person.subject == subject).order_by(Person.issuer))
    return [record_of(PersonRecord, row) for row in rows]


def every_person(session: Session) -> list[PersonRecord]:
    """First seen first."""
    rows = session.execute(select(*_PERSON).order_by(Person.first_seen_at))
    return [record_of(PersonRecord, row) for row in rows]


def name_of(session: Session, principal_id: uuid.UUID | None) -> str | None:
    """The name of one key or person, or None."""
    if principal_id is None:
        return None
    name: str | None = session.scalar(select(PRINCIPALS.c.name).where(PRINCIPALS.c.id == principal_id))
    return name
