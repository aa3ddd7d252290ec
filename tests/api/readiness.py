"""Asking /ready once its background checks have all answered (the first answers take a moment)."""

from __future__ import annotations

from typing import Any

from tests.waiting import wait_until


def checked(client: Any) -> Any:
    """/ready's response once every check has answered at least once."""

    def answered() -> Any:
        response = client.get("/ready")
        ages = response.get_json()["checked_seconds_ago"]
        return response if all(age is not None for age in ages.values()) else None

    return wait_until(answered, what="every readiness check to answer once", every=0.05)
