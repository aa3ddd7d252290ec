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
    """Who is calling: the credential (or the signed-in person), its role and, for providers, the provider it is
    bound to. A person's `credential_id` is their own id in VAL, the same across sign-ins."""

    credential_id: uuid.UUID
    name: str
    role: Role
    provider_id: str | None = None
    # The source systems an intake credential may submit for; None: not bound (coordinators, VAL's own
    # command-line tools).
    source_systems: frozenset[str] | None = None
    # Signed in through the organisation's identity provider (not a key).
    person: bool = False

    def may_submit_for(self, system: str) -> bool:
        return self.source_systems is None or normalise_system(system) in self.source_systems


# The roles people hold: they may sign in through their organisation (docs/operations.md, "Sign-in"). Intake
# systems and providers are machines and keep their keys.
PERSON_ROLES = frozenset({Role.COORDINATOR, Role.BOARD, Role.ADMIN})


# The source system of every referral a coordinator enters by hand (a victim who rang, a partner's email): never
# a police system's, so a coordinator's entry cannot take a police record's duplicate key before it arrives.
COORDINATOR_SOURCE = "coordinator"


def normalise_system(system: str) -> str:
    """Source system names compare as the duplicate key does: trimmed, case-folded."""
    return system.strip().lower()
