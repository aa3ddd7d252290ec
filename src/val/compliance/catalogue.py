"""The compliance catalogue (config/victims_code.toml), validated at start-up. Pure: no I/O beyond reading it."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from val.triage.domain import CrimeType

# Events a coordinator records; `crime_reported` and `referral_received` are recorded by intake itself.
INTAKE_EVENTS = ("crime_reported", "referral_received")
AGE_BANDS = ("under_18", "18_plus")


class CatalogueError(ValueError):
    """config/victims_code.toml is invalid; the message names the entry and the field."""


@dataclass(frozen=True)
class PointRule:
    code: str
    right: int | None
    agency: str
    trigger: str
    days_enhanced: int
    days_standard: int
    title: str
    consent_gated: bool = False
    min_custody_months: int | None = None
    requires_violent_or_sexual: bool = False
    # A duty owed once in a case (a second `sentenced` event does not owe a second VCS referral).
    once_per_case: bool = False

    def days(self, enhanced: bool) -> int:
        return self.days_enhanced if enhanced else self.days_standard


@dataclass(frozen=True)
class Catalogue:
    points: tuple[PointRule, ...]
    extra_closures: frozenset[dt.date]
    violent_or_sexual_crime_types: frozenset[str]
    violent_or_sexual_codes: frozenset[str]
    crime_type_priority: tuple[str, ...]
    suppression_threshold: int

    @property
    def event_types(self) -> tuple[str, ...]:
        """Trigger events a coordinator may record (intake records its own)."""
        seen: list[str] = []
        for rule in self.points:
            if rule.trigger not in INTAKE_EVENTS and rule.trigger not in seen:
                seen.append(rule.trigger)
        return tuple(seen)

    def rule(self, code: str) -> PointRule:
        return next(rule for rule in self.points if rule.code == code)

    def for_event(self, event_type: str) -> tuple[PointRule, ...]:
        return tuple(rule for rule in self.points if rule.trigger == event_type)

    def principal_crime_type(self, crime_types: list[str]) -> str:
        for kind in self.crime_type_priority:
            if kind in crime_types:
                return kind
        return crime_types[0] if crime_types else "other"


_POINT_KEYS = {
    "code",
    "right",
    "agency",
    "trigger",
    "days",
    "title",
    "consent_gated",
    "min_custody_months",
    "requires_violent_or_sexual",
    "once_per_case",
}


def _point(raw: dict[str, Any], index: int) -> PointRule:
    label = f"point #{index} ({raw.get('code', 'no code')})"
    unknown = set(raw) - _POINT_KEYS
    if unknown:
        raise CatalogueError(f"{label}: unknown keys {sorted(unknown)}")
    for key in ("code", "agency", "trigger", "days", "title"):
        if key not in raw:
            raise CatalogueError(f"{label}: missing {key!r}")
    days = raw["days"]
    if not (isinstance(days, list) and len(days) == 2 and all(isinstance(d, int) and d >= 0 for d in days)):
        raise CatalogueError(f"{label}: days must be [enhanced, standard] whole working days")
    right = raw.get("right")
    if right is not None and not (isinstance(right, int) and 1 <= right <= 12):
        raise CatalogueError(f"{label}: right must be a Victims' Code right from 1 to 12")
    return PointRule(
        code=raw["code"],
        right=right,
        agency=raw["agency"],
        trigger=raw["trigger"],
        days_enhanced=days[0],
        days_standard=days[1],
        title=raw["title"],
        consent_gated=bool(raw.get("consent_gated", False)),
        min_custody_months=raw.get("min_custody_months"),
        requires_violent_or_sexual=bool(raw.get("requires_violent_or_sexual", False)),
        once_per_case=bool(raw.get("once_per_case", False)),
    )


def catalogue_from_mapping(raw: dict[str, Any]) -> Catalogue:
    points = tuple(_point(item, i) for i, item in enumerate(raw.get("point", []), start=1))
    if not points:
        raise CatalogueError("the catalogue lists no points")
    codes = [p.code for p in points]
    doubled = sorted({c for c in codes if codes.count(c) > 1})
    if doubled:
        raise CatalogueError(f"codes listed twice: {doubled}")
    try:
        closures = frozenset(dt.date.fromisoformat(str(d)) for d in raw.get("extra_closures", []))
        violent = raw["violent_or_sexual"]
        board = raw["board"]
        threshold = int(board["suppression_threshold"])
    except (KeyError, ValueError) as exc:
        raise CatalogueError(f"victims_code: {exc}") from exc
    if threshold < 2:
        raise CatalogueError("board.suppression_threshold must be at least 2")
    # The Board's figures and the commissioner's return group by these; the API lists crime types as an enum.
    unknown = [kind for kind in board["crime_type_priority"] if kind not in set(CrimeType)]
    if unknown:
        raise CatalogueError(f"board.crime_type_priority: not crime types: {unknown}")
    return Catalogue(
        points=points,
        extra_closures=closures,
        violent_or_sexual_crime_types=frozenset(violent["crime_types"]),
        violent_or_sexual_codes=frozenset(str(c).upper() for c in violent["home_office_codes"]),
        crime_type_priority=tuple(board["crime_type_priority"]),
        suppression_threshold=threshold,
    )


def load_catalogue(path: Path) -> Catalogue:
    try:
        with path.open("rb") as fh:
            return catalogue_from_mapping(tomllib.load(fh))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"cannot read the compliance catalogue {path}: {exc}") from exc
