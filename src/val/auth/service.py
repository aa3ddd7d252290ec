"""Bearer API keys: random, shown once, stored as SHA-256, one role each, revocable at once."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from val.auth import store
from val.auth.roles import COORDINATOR_SOURCE, Principal, Role, normalise_system
from val.auth.store import CredentialRecord
from val.db.base import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    if provider_id and not store.provider_exists(session, provider_id):
        raise CredentialError(f"unknown provider {provider_id!r}")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    added = store.add(
        session,
        {
            "id": uuid.uuid4(),
            "name": name,
            "role": str(role),
            "provider_id": provider_id,
            "source_systems": systems,
            "key_hash": hash_key(key),
            "created_at": utcnow(),
            "revoked_at": None,
        },
    )
    if not added:
        raise CredentialError(f"a credential named {name!r} already exists")
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
    credential = store.by_name(session, name)
    if credential is None:
        raise CredentialError(f"no credential named {name!r}")
    systems = _systems(Role(credential.role), source_systems)
    store.change(session, credential.id, source_systems=systems)
    return systems or []


def revoke_credential(session: Session, name: str) -> None:
    credential = store.by_name(session, name)
    if credential is None:
        raise CredentialError(f"no credential named {name!r}")
    if credential.revoked_at is None:
        store.change(session, credential.id, revoked_at=utcnow())


def list_credentials(session: Session) -> list[CredentialRecord]:
    return store.every_credential(session)


def authenticate(session: Session, key: str) -> Principal | None:
    """The principal for a presented key, or None when it is unknown or revoked (checked on every call)."""
    found = store.active_by_key_hash(session, hash_key(key))
    if found is None:
        return None
    credential_id, name, role_name, provider_id, systems = found
    role = Role(role_name)
    return Principal(
        credential_id=credential_id,
        name=name,
        role=role,
        provider_id=provider_id,
        # An intake key bound to nothing (made before binding existed) may submit for no system; a coordinator
        # submits only as the coordinator source.
        source_systems=_submits_for(role, systems),
    )


def _submits_for(role: Role, systems: list[str] | None) -> frozenset[str] | None:
    if role is Role.INTAKE:
        return frozenset(systems or ())
    if role is Role.COORDINATOR:
        return frozenset({COORDINATOR_SOURCE})
    return None


def system_principal(session: Session, name: str, role: Role) -> Principal:
    """A credential for VAL's own command-line tools; its key is never shown, so it cannot be used over HTTP."""
    credential = store.by_name(session, name)
    if credential is None:
        store.add(
            session,
            {
                "id": uuid.uuid4(),
                "name": name,
                "role": str(role),
                "provider_id": None,
                "source_systems": None,
                "key_hash": hash_key(secrets.token_hex(32)),
                "created_at": utcnow(),
                "revoked_at": None,
            },
        )
        credential = store.by_name(session, name)
    if credential is None:  # taken by a concurrent command between the read and the insert: read it again
        raise CredentialError(f"credential {name!r} could not be created")
    if credential.revoked_at is not None:
        raise CredentialError(f"credential {name!r} is revoked")
    return Principal(credential.id, credential.name, Role(credential.role), credential.provider_id)
