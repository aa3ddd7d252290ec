"""Bearer API keys: random, shown once, stored as SHA-256, one role each, revocable at once."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from val.auth.models import Credential
from val.auth.roles import Principal, Role
from val.db.base import utcnow
from val.db.session import plain_rows
from val.providers.models import Provider

KEY_PREFIX = "val_"


class CredentialError(ValueError):
    pass


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_credential(session: Session, *, name: str, role: Role, provider_id: str | None = None) -> str:
    """Create a credential and return its key; only its hash is stored, so this is the one chance to see it."""
    if role is Role.PROVIDER and not provider_id:
        raise CredentialError("a provider credential needs --provider")
    if role is not Role.PROVIDER and provider_id:
        raise CredentialError("only a provider credential is bound to a provider")
    if provider_id and session.get(Provider, provider_id) is None:
        raise CredentialError(f"unknown provider {provider_id!r}")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        Credential(
            id=uuid.uuid4(),
            name=name,
            role=str(role),
            provider_id=provider_id,
            key_hash=hash_key(key),
            created_at=utcnow(),
        )
    )
    try:
        session.flush()
    except IntegrityError as exc:
        raise CredentialError(f"a credential named {name!r} already exists") from exc
    return key


def revoke_credential(session: Session, name: str) -> None:
    credential = session.scalar(select(Credential).where(Credential.name == name))
    if credential is None:
        raise CredentialError(f"no credential named {name!r}")
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()


def list_credentials(session: Session) -> list[Credential]:
    return list(session.scalars(select(Credential).order_by(Credential.created_at)))


_BY_KEY_HASH = select(Credential.id, Credential.name, Credential.role, Credential.provider_id).where(
    Credential.key_hash == bindparam("key_hash"), Credential.revoked_at.is_(None)
)


def authenticate(session: Session, key: str) -> Principal | None:
    """The principal for a presented key, or None when it is unknown or revoked (checked on every call)."""
    row = plain_rows(session, _BY_KEY_HASH, {"key_hash": hash_key(key)}).first()
    if row is None:
        return None
    return Principal(credential_id=row.id, name=row.name, role=Role(row.role), provider_id=row.provider_id)


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
