"""The provider directory in the database: the one module of this feature that speaks SQL. Other features read
providers in their own queries; what the directory itself writes is here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from val.db.base import rows_affected
from val.providers.models import Provider

if TYPE_CHECKING:
    from val.providers.directory import ProviderEntry


def write_directory(session: Session, entries: list[ProviderEntry]) -> None:
    """The providers table as the directory lists them, in its order (the order of preference when several
    providers could take a service). One missing from the list is deactivated, not deleted: past assignments
    still name it."""
    existing = {p.id: p for p in session.scalars(select(Provider))}
    for position, entry in enumerate(entries):
        provider = existing.pop(entry.id, None) or Provider(id=entry.id, settings={})
        provider.settings = {**(provider.settings or {}), "position": position}
        provider.name = entry.name
        provider.services = list(entry.services)
        provider.policing_areas = list(entry.policing_areas)
        provider.min_age, provider.max_age = entry.min_age, entry.max_age
        provider.active, provider.capacity = entry.active, entry.capacity
        provider.respond_by_working_days = entry.respond_by_working_days
        session.add(provider)
    for provider in existing.values():
        provider.active = False


def set_admin_disabled(session: Session, provider_id: str, disabled: bool) -> bool:
    """Whether there is such a provider."""
    return (
        rows_affected(
            session.execute(
                update(Provider).where(Provider.id == provider_id).values(admin_disabled=disabled)
            )
        )
        > 0
    )
