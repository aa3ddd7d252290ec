"""Which services a case is offered, and which provider takes each. Pure: no I/O.

The decision table is data (config/routing.toml). Every rule whose conditions hold contributes its services,
in order; if none holds, the default service is offered. For each service the first eligible provider in
directory order is chosen; when there is none, the rule's fallback service is tried, and failing that the
route is left `unassigned` for coordinators — never dropped.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from val.calendar import WorkingDays

MARAC = "marac"


class RoutingRulesError(ValueError):
    """config/routing.toml is invalid; the message names the rule and the field."""


@dataclass(frozen=True)
class RoutingFacts:
    """What routing reads about a case (no names, no contact details)."""

    crime_types: tuple[str, ...]
    risk_level: str | None
    age: int
    policing_area: str
    relationship: str
    rtc_outcome: str | None
    children_in_household: int
    offence_to_report_days: int | None
    referral_permitted: bool
    marac_without_consent: bool


@dataclass(frozen=True)
class Rule:
    name: str
    services: tuple[str, ...]
    crime_types: frozenset[str] = frozenset()
    risk_levels: frozenset[str] = frozenset()
    min_age: int | None = None
    max_age: int | None = None
    min_children: int | None = None
    relationships: frozenset[str] = frozenset()
    rtc_outcomes: frozenset[str] = frozenset()
    offence_within_days: int | None = None
    fallback_service: str | None = None

    def matches(self, facts: RoutingFacts) -> bool:
        checks = (
            not self.crime_types or bool(self.crime_types.intersection(facts.crime_types)),
            not self.risk_levels or facts.risk_level in self.risk_levels,
            self.min_age is None or facts.age >= self.min_age,
            self.max_age is None or facts.age <= self.max_age,
            self.min_children is None or facts.children_in_household >= self.min_children,
            not self.relationships or facts.relationship in self.relationships,
            not self.rtc_outcomes or facts.rtc_outcome in self.rtc_outcomes,
            self.offence_within_days is None
            or (
                facts.offence_to_report_days is not None
                and facts.offence_to_report_days <= self.offence_within_days
            ),
        )
        return all(checks)

    def because(self) -> str:
        parts = []
        if self.crime_types:
            parts.append("crime type " + " or ".join(sorted(self.crime_types)))
        if self.risk_levels:
            parts.append("risk " + " or ".join(sorted(self.risk_levels)))
        if self.min_age is not None:
            parts.append(f"aged {self.min_age}+")
        if self.max_age is not None:
            parts.append(f"aged {self.max_age} or under")
        if self.min_children is not None:
            parts.append("children in the household")
        if self.relationships:
            parts.append(" or ".join(sorted(self.relationships)))
        if self.rtc_outcomes:
            parts.append("collision outcome " + " or ".join(sorted(self.rtc_outcomes)))
        if self.offence_within_days is not None:
            parts.append(f"offence within {self.offence_within_days} days of the report")
        return ", ".join(parts) or "always"


@dataclass(frozen=True)
class RoutingTable:
    rules: tuple[Rule, ...]
    default_service: str


@dataclass(frozen=True)
class ProviderInfo:
    """A provider as routing sees it: what it offers, to whom, and whether it can take more."""

    id: str
    services: tuple[str, ...]
    policing_areas: tuple[str, ...]
    min_age: int | None
    max_age: int | None
    available: bool  # active in the directory, not disabled by an admin
    capacity: int | None
    open_assignments: int = 0

    def can_take(self, service: str, facts: RoutingFacts) -> bool:
        return (
            self.available
            and service in self.services
            and facts.policing_area in self.policing_areas
            and (self.min_age is None or facts.age >= self.min_age)
            and (self.max_age is None or facts.age <= self.max_age)
            and (self.capacity is None or self.open_assignments < self.capacity)
        )


@dataclass(frozen=True)
class Route:
    service: str
    provider_id: str | None  # None: unassigned, for coordinators
    rule: str
    because: str
    requested_service: str | None = None  # when a fallback replaced it


@dataclass
class Decision:
    routes: list[Route] = field(default_factory=list)
    held_for_consent: list[str] = field(default_factory=list)  # services waiting for consent


def services_for(table: RoutingTable, facts: RoutingFacts) -> list[tuple[str, Rule | None]]:
    chosen: list[tuple[str, Rule | None]] = []
    for rule in table.rules:
        if rule.matches(facts):
            for service in rule.services:
                if service not in [s for s, _ in chosen]:
                    chosen.append((service, rule))
    return chosen or [(table.default_service, None)]


def pick_provider(
    service: str, facts: RoutingFacts, providers: list[ProviderInfo], excluded: frozenset[str] = frozenset()
) -> str | None:
    for provider in providers:
        if provider.id not in excluded and provider.can_take(service, facts):
            return provider.id
    return None


def consent_permits(service: str, facts: RoutingFacts) -> bool:
    """The consent gate (docs/domain.md): nothing reaches a provider without consent — MARAC excepted for
    safeguarding. Every offer passes it: intake, consent given, decline, expiry, reroute and reopen."""
    return facts.referral_permitted or (service == MARAC and facts.marac_without_consent)


def route(
    table: RoutingTable,
    facts: RoutingFacts,
    providers: list[ProviderInfo],
    declined: Mapping[str, frozenset[str]] | None = None,
) -> Decision:
    """`declined`: by service, the providers that declined this case before (a reopened case): never offered it
    again, and the route says so."""
    declined = declined or {}
    decision = Decision()
    for service, rule in services_for(table, facts):
        name = rule.name if rule else "default"
        because = rule.because() if rule else "no specialist rule matched"
        if not consent_permits(service, facts):
            decision.held_for_consent.append(service)
            continue
        because += _passed_over(service, facts, providers, declined)
        provider = pick_provider(service, facts, providers, declined.get(service, frozenset()))
        if provider is None and rule is not None and rule.fallback_service:
            fallback = rule.fallback_service
            because += _passed_over(fallback, facts, providers, declined)
            provider = pick_provider(fallback, facts, providers, declined.get(fallback, frozenset()))
            decision.routes.append(
                Route(
                    fallback,
                    provider,
                    name,
                    f"{because}; no provider of {service} here, so {fallback}",
                    service,
                )
            )
            continue
        decision.routes.append(Route(service, provider, name, because))
    return decision


def _passed_over(
    service: str, facts: RoutingFacts, providers: list[ProviderInfo], declined: Mapping[str, frozenset[str]]
) -> str:
    """What the route says of the providers that could take `service` but declined the case before."""
    passed = [p.id for p in providers if p.id in declined.get(service, ()) and p.can_take(service, facts)]
    if not passed:
        return ""
    return f"; not {' or '.join(passed)}, which declined it before"


def offence_to_report_days(occurred_at: dt.datetime | None, reported_at: dt.datetime) -> int | None:
    if occurred_at is None:
        return None
    return (reported_at - occurred_at).days


_RULE_KEYS = {
    "name",
    "services",
    "crime_types",
    "risk_levels",
    "min_age",
    "max_age",
    "min_children",
    "relationships",
    "rtc_outcomes",
    "offence_within_days",
    "fallback_service",
}


def table_from_mapping(raw: dict[str, Any], known_services: tuple[str, ...]) -> RoutingTable:
    rules = []
    for index, item in enumerate(raw.get("rule", []), start=1):
        label = f"routing rule #{index} ({item.get('name', 'no name')})"
        unknown = set(item) - _RULE_KEYS
        if unknown:
            raise RoutingRulesError(f"{label}: unknown keys {sorted(unknown)}")
        if "name" not in item or not item.get("services"):
            raise RoutingRulesError(f"{label}: needs a name and at least one service")
        for service in [
            *item["services"],
            *([item["fallback_service"]] if item.get("fallback_service") else []),
        ]:
            if service not in known_services:
                raise RoutingRulesError(f"{label}: unknown service {service!r}")
        rules.append(
            Rule(
                name=item["name"],
                services=tuple(item["services"]),
                crime_types=frozenset(item.get("crime_types", ())),
                risk_levels=frozenset(item.get("risk_levels", ())),
                min_age=item.get("min_age"),
                max_age=item.get("max_age"),
                min_children=item.get("min_children"),
                relationships=frozenset(item.get("relationships", ())),
                rtc_outcomes=frozenset(item.get("rtc_outcomes", ())),
                offence_within_days=item.get("offence_within_days"),
                fallback_service=item.get("fallback_service"),
            )
        )
    default = raw.get("default_service")
    if default not in known_services:
        raise RoutingRulesError(f"default_service must be one of the services (got {default!r})")
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise RoutingRulesError("routing rule names must be unique")
    return RoutingTable(tuple(rules), default)


def load_table(path: Path, known_services: tuple[str, ...]) -> RoutingTable:
    try:
        with path.open("rb") as fh:
            return table_from_mapping(tomllib.load(fh), known_services)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RoutingRulesError(f"cannot read the routing rules {path}: {exc}") from exc


@dataclass(frozen=True)
class RoutingPolicy:
    """Everything routing decides with: the decision table, the working-day calendar for respond-by times and
    whether high-risk domestic abuse goes to MARAC without consent."""

    table: RoutingTable
    working_days: WorkingDays
    marac_without_consent: bool
