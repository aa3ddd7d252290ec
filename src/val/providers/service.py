"""Admin operations on the provider directory: enabling and disabling a provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

from val.errors import NotFoundError
from val.providers import store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def set_enabled(session: Session, provider_id: str, enabled: bool) -> None:
    """Disabled providers are offered nothing new; what they already hold stays theirs."""
    if not store.set_admin_disabled(session, provider_id, not enabled):
        raise NotFoundError(f"No provider {provider_id!r} in the directory.")
