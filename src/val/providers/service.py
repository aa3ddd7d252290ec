"""Admin operations on the provider directory: enabling and disabling a provider."""

from __future__ import annotations

from sqlalchemy.orm import Session

from val.errors import NotFoundError
from val.providers.models import Provider


def set_enabled(session: Session, provider_id: str, enabled: bool) -> None:
    """Disabled providers are offered nothing new; what they already hold stays theirs."""
    provider = session.get(Provider, provider_id, with_for_update=True)
    if provider is None:
        raise NotFoundError(f"No provider {provider_id!r} in the directory.")
    provider.admin_disabled = not enabled
