"""What the app wired at start-up, reachable from views without globals built at import."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from val.db.session import Database
from val.settings import Settings
from val.triage.rulebook import TriageRules


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    triage_rules: TriageRules


def services() -> Services:
    return current_app.extensions["val"]
