"""The provider directory in the database: the one module of this feature that speaks SQL. Other features read
providers in their own queries; what the directory itself writes is here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from val.db.base import rows_affected
from val.providers.models import Provider

if TYPE_CHECKING:
    from val.providers.directory import ProviderEntry


@dataclass(frozen=True)
class ListedProvider:
    """A provider as the directory lists it: who, for what, where, for which ages, and whether it takes work."""

    id: str
    name: str
    services: tuple[str, ...]
    policing_areas: tuple[str, ...]
    min_age: int | None
    max_age: int | None
    active: bool
    admin_disabled: bool
    webhook_url: str | None
    endpoint_disabled_at: dt.datetime | None

    @property
    def available(self) -> bool:
        return self.active and not self.admin_disabled


def listed(session: Session) -> list[ListedProvider]:
    """Every provider in the directory, by id."""
    rows = session.execute(
        select(
            Provider.id,
            Provider.name,
            Provider.services,
            Provider.policing_areas,
            Provider.min_age,
            Provider.max_age,
            Provider.active,
            Provider.admin_disabled,
            Provider.webhook_url,
            Provider.endpoint_disabled_at,
        ).order_by(Provider.id)
    )
    return [
        ListedProvider(
            id=row.id,
            name=row.name,
            services=tuple(row.services),
            policing_areas=tuple(row.policing_areas),
            min_age=row.min_age,
            max_age=row.max_age,
            active=row.active,
            admin_disabled=row.admin_disabled,
            webhook_url=row.webhook_url,
            endpoint_disabled_at=row.endpoint_disabled_at,
        )
        for row in rows
    ]


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
