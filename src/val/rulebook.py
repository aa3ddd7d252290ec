"""Every rule set VAL decides with, loaded and validated once at start-up from config/. Each feature receives
only its own part: triage its rules, routing its policy, compliance its catalogue and calendar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from val.calendar import WorkingDays
from val.compliance.catalogue import Catalogue, load_catalogue
from val.compliance.rules import ComplianceRules
from val.messages.templates import MessageConfig, load_message_config
from val.providers.directory import SERVICES
from val.routing.rules import RoutingPolicy, load_table
from val.triage.rulebook import TriageRules, load_rules


@dataclass(frozen=True)
class Rulebook:
    triage: TriageRules
    compliance: ComplianceRules
    routing: RoutingPolicy
    messages: MessageConfig

    @property
    def catalogue(self) -> Catalogue:
        return self.compliance.catalogue

    @property
    def working_days(self) -> WorkingDays:
        return self.compliance.working_days


def load_rulebook(config_dir: Path) -> Rulebook:
    catalogue = load_catalogue(config_dir / "victims_code.toml")
    working_days = WorkingDays(catalogue.extra_closures)
    triage = load_rules(config_dir / "triage.toml")
    return Rulebook(
        triage=triage,
        compliance=ComplianceRules(catalogue, working_days),
        routing=RoutingPolicy(
            table=load_table(config_dir / "routing.toml", SERVICES),
            working_days=working_days,
            marac_without_consent=triage.marac_without_consent,
        ),
        messages=load_message_config(config_dir / "messages.toml"),
    )
