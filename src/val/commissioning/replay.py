"""Reading a period's cases for the routing what-if: each case's routing facts as intake would build them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from val.calendar import london_days
from val.cases import store as cases
from val.commissioning.simulation import ReplayedCase
from val.compliance.catalogue import Catalogue
from val.providers.directory import ProviderEntry
from val.routing.facts import facts_of_case
from val.routing.rules import ProviderInfo, RoutingPolicy

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def period_cases(
    session: Session, policy: RoutingPolicy, catalogue: Catalogue, date_from: dt.date, date_to: dt.date
) -> Iterator[ReplayedCase]:
    start, end = london_days(date_from, date_to)
    for case, decision, victim, offence in cases.bundles_received(session, start, end):
        yield ReplayedCase(
            crime_type=catalogue.principal_crime_type(list(decision.crime_types)),
            facts=facts_of_case(policy, case, decision, victim, offence),
        )


def infos_of(entries: list[ProviderEntry]) -> tuple[ProviderInfo, ...]:
    """A directory file as routing sees it (in file order, as `val db upgrade` would load it)."""
    return tuple(
        ProviderInfo(
            id=e.id,
            services=e.services,
            policing_areas=e.policing_areas,
            min_age=e.min_age,
            max_age=e.max_age,
            available=e.active,
            capacity=None,
        )
        for e in entries
    )
