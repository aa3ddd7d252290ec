"""Every rule set VAL decides with, loaded and validated once at start-up from config/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from val.compliance.calendar import WorkingDays
from val.compliance.catalogue import Catalogue, load_catalogue
from val.providers.directory import SERVICES
from val.routing.rules import RoutingTable, load_table
from val.triage.rulebook import TriageRules, load_rules


@dataclass(frozen=True)
class Rulebook:
    triage: TriageRules
    catalogue: Catalogue
    working_days: WorkingDays
    routing: RoutingTable


def load_rulebook(config_dir: Path) -> Rulebook:
    catalogue = load_catalogue(config_dir / "victims_code.toml")
    return Rulebook(
        triage=load_rules(config_dir / "triage.toml"),
        catalogue=catalogue,
        working_days=WorkingDays(catalogue.extra_closures),
        routing=load_table(config_dir / "routing.toml", SERVICES),
    )
