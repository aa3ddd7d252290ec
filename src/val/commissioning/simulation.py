"""Routing what-if (docs/commissioning.md): the period's cases replayed through proposed rules and directory with the same
pure routing code intake uses (`route`), nothing written, nothing sent. Pure: the cases' routing facts and the
two directories are given.

Capacity is left out on both sides: whether a provider is full depends on the day, and a what-if compares
rules and coverage, not the queue on a given morning. So "today" here is today's rules and directory replayed
the same way, and simulating today's own rules changes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from val.routing.rules import ProviderInfo, RoutingFacts, RoutingTable, route

UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class Setup:
    table: RoutingTable
    providers: tuple[ProviderInfo, ...]


@dataclass(frozen=True)
class ReplayedCase:
    crime_type: str  # the principal crime type, for counting changed cases
    facts: RoutingFacts


@dataclass
class Simulation:
    offers: dict[tuple[str, str], tuple[int, int]] = field(
        default_factory=dict
    )  # (service, provider) → counts
    changed_by_crime_type: Counter[str] = field(default_factory=Counter)
    cases: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "offers": [
                {"service": s, "provider": p, "today": t, "proposed": n, "difference": n - t}
                for (s, p), (t, n) in sorted(self.offers.items())
            ],
            "changed_cases_by_crime_type": dict(sorted(self.changed_by_crime_type.items())),
            "changed_cases": sum(self.changed_by_crime_type.values()),
        }


def uncapped(providers: Iterable[ProviderInfo]) -> tuple[ProviderInfo, ...]:
    return tuple(replace(p, capacity=None, open_assignments=0) for p in providers)


def offers_of(setup: Setup, facts: RoutingFacts) -> list[tuple[str, str]]:
    decision = route(setup.table, facts, list(setup.providers))
    return sorted((r.service, r.provider_id or UNASSIGNED) for r in decision.routes)


def simulate(cases: Iterable[ReplayedCase], today: Setup, proposed: Setup) -> Simulation:
    result = Simulation()
    counts: dict[tuple[str, str], list[int]] = {}
    for case in cases:
        result.cases += 1
        before, after = offers_of(today, case.facts), offers_of(proposed, case.facts)
        for offer in before:
            counts.setdefault(offer, [0, 0])[0] += 1
        for offer in after:
            counts.setdefault(offer, [0, 0])[1] += 1
        if before != after:
            result.changed_by_crime_type[case.crime_type] += 1
    result.offers = {key: (t, n) for key, (t, n) in counts.items()}
    return result
