"""A provider's webhook endpoint and its signing secrets: registered, rotated. Runs in the caller's unit of
work; the secret is returned once, to be shown once."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from val.db.base import utcnow
from val.db.session import Database, read_only
from val.errors import InvalidInputError, NotFoundError
from val.settings import Settings
from val.webhooks.awaiting import release_awaiting
from val.webhooks.destinations import DestinationPolicy, Resolver, check_destination, resolve
from val.webhooks.outbox import kick
from val.webhooks.secret_box import SecretBox, box_for, unopenable
from val.webhooks.signing import new_secret
from val.webhooks.store import endpoints as store
from val.webhooks.store.endpoints import SigningEndpoint

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _provider(session: Session, provider_id: str) -> SigningEndpoint:
    provider = store.signing_endpoint(session, provider_id, for_update=True)
    if provider is None:
        raise NotFoundError(f"No provider {provider_id!r} in the directory.")
    return provider


def set_endpoint(
    session: Session,
    provider_id: str,
    url: str,
    *,
    policy: DestinationPolicy,
    box: SecretBox,
    resolver: Resolver = resolve,
) -> str:
    """Register the provider's webhook URL with a fresh signing secret, returned once and stored sealed."""
    check_destination(url, policy, resolver)
    _provider(session, provider_id)
    secret = new_secret()
    store.set_endpoint(
        session,
        provider_id,
        webhook_url=url,
        signing_secret=box.seal(secret),
        previous_signing_secret=None,
        previous_secret_expires_at=None,
        endpoint_disabled_at=None,
    )
    if release_awaiting(session, provider_id):
        kick(session)  # what waited for this endpoint goes now
    return secret


def rotate_secret(session: Session, provider_id: str, overlap: dt.timedelta, box: SecretBox) -> str:
    """A new secret signs from now on; the old one signs alongside it until the overlap ends, so the provider
    can switch without missing a webhook."""
    provider = _provider(session, provider_id)
    if not provider.signing_secret:
        raise InvalidInputError("The provider has no endpoint yet: use set-endpoint.", field="provider")
    secret = new_secret()
    store.set_endpoint(
        session,
        provider_id,
        previous_signing_secret=provider.signing_secret,
        previous_secret_expires_at=utcnow() + overlap,
        signing_secret=box.seal(secret),
    )
    return secret


def reseal_secrets(session: Session, box: SecretBox) -> int:
    """Seal every stored secret under the first key: after a key rotation, or for secrets stored plain."""
    count = 0
    for provider_id, current, previous in store.all_sealed_secrets(session, for_update=True):
        resealed = {
            column: box.reseal(stored)
            for column, stored in (("signing_secret", current), ("previous_signing_secret", previous))
            if stored
        }
        if resealed:
            store.set_endpoint(session, provider_id, **resealed)
            count += len(resealed)
    return count


def signing_secrets_open(settings: Settings, db: Database) -> bool:
    """Whether this VAL can open every provider's signing secret (a key rotation that left this process
    without the new key would hold all its webhooks). For /ready."""
    try:
        box = box_for(settings)
        with read_only(db) as session:
            sealed = [value for _, *values in store.all_sealed_secrets(session) for value in values if value]
        return unopenable(box, sealed) == 0
    except Exception:  # no key at all, or no database: not able to sign
        return False
