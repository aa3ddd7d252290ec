"""Bearer API keys: random, shown once, stored as SHA-256, one role each, revocable at once."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from val.auth.models import Credential
from val.auth.roles import Principal, Role, normalise_system
from val.db.base import utcnow
from val.db.session import plain_rows
from val.providers.models import Provider

KEY_PREFIX = "val_"


class CredentialError(ValueError):
    pass


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_credential(
    session: Session,
    *,
    name: str,
    role: Role,
    provider_id: str | None = None,
    source_systems: Iterable[str] = (),
) -> str:
    """Create a credential and return its key; only its hash is stored, so this is the one chance to see it."""
    if role is Role.PROVIDER and not provider_id:
        raise CredentialError("a provider credential needs --provider")
    if role is not Role.PROVIDER and provider_id:
        raise CredentialError("only a provider credential is bound to a provider")
    systems = _systems(role, source_systems)
    if provider_id and session.get(Provider, provider_id) is None:
        raise CredentialError(f"unknown provider {provider_id!r}")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        Credential(
            id=uuid.uuid4(),
            name=name,
            role=str(role),
            provider_id=provider_id,
            source_systems=systems,
            key_hash=hash_key(key),
            created_at=utcnow(),
        )
    )
    try:
        session.flush()
    except IntegrityError as exc:
        raise CredentialError(f"a credential named {name!r} already exists") from exc
    return key


def _systems(role: Role, source_systems: Iterable[str]) -> list[str] | None:
    systems = sorted({normalise_system(s) for s in source_systems if s.strip()})
    if role is Role.INTAKE and not systems:
        raise CredentialError("an intake credential needs --source-system (the record system it sends from)")
    if role is not Role.INTAKE and systems:
        raise CredentialError("only an intake credential is bound to source systems")
    return systems or None


def bind_source_systems(session: Session, name: str, source_systems: Iterable[str]) -> list[str]:
    """Set the source systems an intake credential may submit for (replacing what it had)."""
    credential = session.scalar(select(Credential).where(Credential.name == name))
    if credential is None:
        raise CredentialError(f"no credential named {name!r}")
    systems = _systems(Role(credential.role), source_systems)
    credential.source_systems = systems
    return systems or []


def revoke_credential(session: Session, name: str) -> None:
    credential = session.scalar(select(Credential).where(Credential.name == name))
    if credential is None:
        raise CredentialError(f"no credential named {name!r}")
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()


def list_credentials(session: Session) -> list[Credential]:
    return list(session.scalars(select(Credential).order_by(Credential.created_at)))


_BY_KEY_HASH = select(
    Credential.id, Credential.name, Credential.role, Credential.provider_id, Credential.source_systems
).where(Credential.key_hash == bindparam("key_hash"), Credential.revoked_at.is_(None))


def authenticate(session: Session, key: str) -> Principal | None:
    """The principal for a presented key, or None when it is unknown or revoked (checked on every call)."""
    row = plain_rows(session, _BY_KEY_HASH, {"key_hash": hash_key(key)}).first()
    if row is None:
        return None
    role = Role(row.role)
    return Principal(
        credential_id=row.id,
        name=row.name,
        role=role,
        provider_id=row.provider_id,
        # An intake key bound to nothing (made before binding existed) may submit for no system.
        source_systems=frozenset(row.source_systems or ()) if role is Role.INTAKE else None,
    )


def system_principal(session: Session, name: str, role: Role) -> Principal:
    """A credential for VAL's own command-line tools; its key is never shown, so it cannot be used over HTTP."""
    credential = session.scalar(select(Credential).where(Credential.name == name))
    if credential is None:
        credential = Credential(
            id=uuid.uuid4(),
            name=name,
            role=str(role),
            key_hash=hash_key(secrets.token_hex(32)),
            created_at=utcnow(),
        )
        session.add(credential)
        session.flush()
    if credential.revoked_at is not None:
        raise CredentialError(f"credential {name!r} is revoked")
    return Principal(credential.id, credential.name, Role(credential.role), credential.provider_id)
