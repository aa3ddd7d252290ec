"""Triage: crime types, domestic abuse risk, enhanced rights and the consent model. Pure: no I/O."""

from val.triage.domain import ReferralFacts, RiskFacts, TriageOutcome
from val.triage.rulebook import TriageRules, load_rules
from val.triage.rules import triage

__all__ = ["ReferralFacts", "RiskFacts", "TriageOutcome", "TriageRules", "load_rules", "triage"]
