"""The provider directory as routing reads it in every intake: fresh, in one statement, parsed once per
version of each provider."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, case, cast, func, select
from sqlalchemy.orm import Session

from val.db.base import table_of
from val.providers.models import Provider
from val.routing.models import Assignment
from val.routing.rules import ProviderInfo
from val.routing.states import OPEN

_P = table_of(Provider).c
_A = table_of(Assignment).c
# The directory and each capacity-limited provider's open offers in one statement: this runs in every intake.
_OPEN_ASSIGNMENTS = (
    select(func.count())
    .where(_A.provider_id == _P.id, _A.status.in_(OPEN))
    .correlate(table_of(Provider))
    .scalar_subquery()
)
_DIRECTORY = select(
    _P.id,
    # As text, parsed once per distinct value (`_info`): the directory is read in every intake, and parsing
    # its JSON every time was a tenth of an import.
    cast(_P.services, Text).label("services_json"),
    cast(_P.policing_areas, Text).label("policing_areas_json"),
    _P.min_age,
    _P.max_age,
    _P.active,
    _P.admin_disabled,
    _P.capacity,
    _P.respond_by_working_days,
    _P.webhook_url,
    _P.endpoint_disabled_at,
    cast(_P.settings, Text).label("settings_json"),
    case((_P.capacity.is_not(None), _OPEN_ASSIGNMENTS), else_=0).label("open_assignments"),
)


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


def provider_infos(session: Session) -> tuple[list[ProviderInfo], dict[str, Any]]:
    """The directory as routing sees it, read fresh (a disabled provider is passed over at once). Plain rows,
    not ORM objects: this runs in every intake."""
    return directory_infos(read_directory(session))


def read_directory(session: Session) -> list[Any]:
    return list(session.execute(_DIRECTORY).all())


def directory_infos(
    rows: list[Any], queued_offers: Mapping[str, int] | None = None
) -> tuple[list[ProviderInfo], dict[str, Any]]:
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
