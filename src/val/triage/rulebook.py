"""The triage rule configuration (config/triage.toml) as a frozen object with a version hash."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class RulebookError(ValueError):
    """config/triage.toml is missing a value or holds a wrong one."""


@dataclass(frozen=True)
class TriageRules:
    high_yes_count: int
    medium_yes_count: int
    escalation_incidents: int
    marac_repeat_months: int
    adult_age: int
    explicit_consent_crime_types: frozenset[str]
    explicit_consent_for_bereaved: bool
    marac_without_consent: bool
    codes: dict[str, frozenset[str]]
    version: str

    def code_in(self, group: str, code: str | None) -> bool:
        return code is not None and code.upper() in self.codes[group]


_CODE_GROUPS = (
    "sexual_offences",
    "racially_or_religiously_aggravated",
    "road_deaths",
    "homicide_bereavement",
    "homicide",
    "stalking_harassment",
    "modern_slavery",
    "attempted_murder",
    "wounding_with_intent",
    "kidnapping",
    "arson_endangering_life",
)


def rules_from_mapping(raw: dict[str, Any]) -> TriageRules:
    try:
        dash, ages, consent, codes = raw["dash"], raw["ages"], raw["consent"], raw["home_office_codes"]
        rules = TriageRules(
            high_yes_count=int(dash["high_yes_count"]),
            medium_yes_count=int(dash["medium_yes_count"]),
            escalation_incidents=int(dash["escalation_incidents"]),
            marac_repeat_months=int(dash["marac_repeat_months"]),
            adult_age=int(ages["adult_age"]),
            explicit_consent_crime_types=frozenset(consent["explicit_for_crime_types"]),
            explicit_consent_for_bereaved=bool(consent["explicit_for_bereaved"]),
            marac_without_consent=bool(consent["marac_without_consent"]),
            codes={group: frozenset(str(c).upper() for c in codes[group]) for group in _CODE_GROUPS},
            version=_version_of(raw),
        )
    except KeyError as exc:
        raise RulebookError(f"triage rules: missing {exc.args[0]!r}") from exc
    if not 0 < rules.medium_yes_count < rules.high_yes_count <= 27:
        raise RulebookError("triage rules: need 0 < medium_yes_count < high_yes_count <= 27")
    return rules


def _version_of(raw: dict[str, Any]) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def load_rules(path: Path) -> TriageRules:
    try:
        with path.open("rb") as fh:
            return rules_from_mapping(tomllib.load(fh))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulebookError(f"cannot read triage rules {path}: {exc}") from exc
