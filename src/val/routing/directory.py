"""The provider directory as routing sees it in every intake: read fresh by the store in one statement, parsed
here once per version of each provider."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from val.routing import store
from val.routing.rules import ProviderInfo
from val.routing.store import DirectoryEntry

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@lru_cache(maxsize=4096)
def _info(
    provider_id: str,
    services_json: str,
    policing_areas_json: str,
    min_age: int | None,
    max_age: int | None,
    available: bool,
    capacity: int | None,
    settings_json: str | None,
) -> tuple[int, ProviderInfo]:
    """A provider as routing sees it (without its open offers), and its position in the directory. The same
    row always gives the same answer, so it is built once per process for each version of each provider."""
    settings = json.loads(settings_json) if settings_json else None
    return (settings or {}).get("position", 1_000), ProviderInfo(
        id=provider_id,
        services=tuple(json.loads(services_json)),
        policing_areas=tuple(json.loads(policing_areas_json)),
        min_age=min_age,
        max_age=max_age,
        available=available,
        capacity=capacity,
        open_assignments=0,
    )


def provider_infos(session: Session) -> tuple[list[ProviderInfo], dict[str, DirectoryEntry]]:
    """The directory as routing sees it, read fresh (a disabled provider is passed over at once)."""
    return directory_infos(store.directory(session))


def directory_infos(
    rows: list[DirectoryEntry], queued_offers: Mapping[str, int] | None = None
) -> tuple[list[ProviderInfo], dict[str, DirectoryEntry]]:
    """Routing's view of the directory's rows. `queued_offers`: open offers per provider that the rows do not
    count (a batch's since it read them), which count against capacity too."""
    placed = []
    for p in rows:
        position, info = _info(
            p.id,
            p.services_json,
            p.policing_areas_json,
            p.min_age,
            p.max_age,
            p.active and not p.admin_disabled,
            p.capacity,
            p.settings_json,
        )
        open_assignments = p.open_assignments + (
            (queued_offers or {}).get(p.id, 0) if p.capacity is not None else 0
        )
        if open_assignments:
            info = dataclasses.replace(info, open_assignments=open_assignments)
        placed.append((position, info))
    placed.sort(key=lambda pair: pair[0])
    return [info for _, info in placed], {p.id: p for p in rows}
