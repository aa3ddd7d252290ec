"""A provider's webhook endpoint and its signing secrets: registered, rotated. Runs in the caller's unit of
work; the secret is returned once, to be shown once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.db.base import utcnow
from val.db.session import Database
from val.errors import InvalidInputError, NotFoundError
from val.providers.models import Provider
from val.settings import Settings
from val.webhooks.awaiting import release_awaiting
from val.webhooks.destinations import DestinationPolicy, Resolver, check_destination, resolve
from val.webhooks.outbox import kick
from val.webhooks.secret_box import SecretBox, box_for, unopenable
from val.webhooks.signing import new_secret


def _provider(session: Session, provider_id: str) -> Provider:
    provider = session.get(Provider, provider_id, with_for_update=True)
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
    provider = _provider(session, provider_id)
    secret = new_secret()
    provider.webhook_url = url
    provider.signing_secret = box.seal(secret)
    provider.previous_signing_secret = None
    provider.previous_secret_expires_at = None
    provider.endpoint_disabled_at = None
    session.flush()
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
    provider.previous_signing_secret = provider.signing_secret
    provider.previous_secret_expires_at = utcnow() + overlap
    provider.signing_secret = box.seal(secret)
    return secret


def reseal_secrets(session: Session, box: SecretBox) -> int:
    """Seal every stored secret under the first key: after a key rotation, or for secrets stored plain."""
    count = 0
    for provider in session.scalars(select(Provider).with_for_update()):
        for column in ("signing_secret", "previous_signing_secret"):
            stored = getattr(provider, column)
            if stored:
                setattr(provider, column, box.reseal(stored))
                count += 1
    return count


def signing_secrets_open(settings: Settings, db: Database) -> bool:
    """Whether this VAL can open every provider's signing secret (a key rotation that left this process
    without the new key would hold all its webhooks). For /ready."""
    try:
        box = box_for(settings)
        with db.engine.connect() as connection:
            rows = connection.execute(select(Provider.signing_secret, Provider.previous_signing_secret))
            sealed = [value for row in rows for value in row if value]
        return unopenable(box, sealed) == 0
    except Exception:  # no key at all, or no database: not able to sign
        return False
