from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    INTAKE = "intake"
    COORDINATOR = "coordinator"
    PROVIDER = "provider"
    BOARD = "board"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the credential, its role and, for providers, the provider it is bound to."""

    credential_id: uuid.UUID
    name: str
    role: Role
    provider_id: str | None = None
    # The source systems an intake credential may submit for; None: not bound (coordinators, VAL's own
    # command-line tools).
    source_systems: frozenset[str] | None = None

    def may_submit_for(self, system: str) -> bool:
        return self.source_systems is None or normalise_system(system) in self.source_systems


# The source system of every referral a coordinator enters by hand (a victim who rang, a partner's email): never
# a police system's, so a coordinator's entry cannot take a police record's duplicate key before it arrives.
COORDINATOR_SOURCE = "coordinator"


def normalise_system(system: str) -> str:
    """Source system names compare as the duplicate key does: trimmed, case-folded."""
    return system.strip().lower()
