"""The provider directory: read and validated from config/providers.toml, synchronised into the database."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from val.providers import store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SERVICES = (
    "victim_care",
    "domestic_abuse_support",
    "idva",
    "marac",
    "cyp_domestic_abuse",
    "isva",
    "chisva",
    "sarc",
    "climb",
    "hate_crime_advocacy",
    "road_victim_support",
    "homicide_bereavement",
    "modern_slavery_support",
)
_KEYS = {
    "id",
    "name",
    "services",
    "policing_areas",
    "min_age",
    "max_age",
    "active",
    "capacity",
    "respond_by_working_days",
}


class DirectoryError(ValueError):
    """The provider directory is invalid; the message names the entry and the field."""


@dataclass(frozen=True)
class ProviderEntry:
    id: str
    name: str
    services: tuple[str, ...]
    policing_areas: tuple[str, ...]
    min_age: int | None = None
    max_age: int | None = None
    active: bool = True
    capacity: int | None = None
    respond_by_working_days: int = 1


def _entry(raw: dict[str, Any], index: int, areas: tuple[str, ...]) -> ProviderEntry:
    label = f"provider #{index} ({raw.get('id', 'no id')})"
    unknown = set(raw) - _KEYS
    if unknown:
        raise DirectoryError(f"{label}: unknown keys {sorted(unknown)}")
    for key in ("id", "name", "services", "policing_areas"):
        if key not in raw:
            raise DirectoryError(f"{label}: missing {key!r}")
    services = tuple(raw["services"])
    bad = [s for s in services if s not in SERVICES]
    if not services or bad:
        raise DirectoryError(f"{label}: services must be some of {', '.join(SERVICES)} (got {bad or 'none'})")
    covered = areas if raw["policing_areas"] == "all" else tuple(raw["policing_areas"])
    bad = [a for a in covered if a not in areas]
    if not covered or bad:
        raise DirectoryError(
            f'{label}: policing_areas must be "all" or some of {", ".join(areas)} (got {bad})'
        )
    min_age, max_age = raw.get("min_age"), raw.get("max_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise DirectoryError(f"{label}: min_age is above max_age")
    respond_by = raw.get("respond_by_working_days", 1)
    if not isinstance(respond_by, int) or respond_by < 0:
        raise DirectoryError(f"{label}: respond_by_working_days must be a whole number of days")
    return ProviderEntry(
        id=raw["id"],
        name=raw["name"],
        services=services,
        policing_areas=covered,
        min_age=min_age,
        max_age=max_age,
        active=bool(raw.get("active", True)),
        capacity=raw.get("capacity"),
        respond_by_working_days=respond_by,
    )


def load_directory(path: Path, policing_areas: tuple[str, ...]) -> list[ProviderEntry]:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DirectoryError(f"cannot read the provider directory {path}: {exc}") from exc
    entries = [_entry(item, i, policing_areas) for i, item in enumerate(raw.get("provider", []), start=1)]
    ids = [e.id for e in entries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise DirectoryError(f"provider ids listed twice: {duplicated}")
    return entries


def sync_directory(session: Session, entries: list[ProviderEntry]) -> None:
    """Make the providers table match the file. A provider removed from the file is deactivated, not deleted:
    past assignments still name it."""
    store.write_directory(session, entries)
