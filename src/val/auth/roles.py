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
