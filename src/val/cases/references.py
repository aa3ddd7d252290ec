"""The VAL reference quoted on the phone (VAL-YYYY-NNNNNN): the year received and the case number."""

from __future__ import annotations

import datetime as dt


def reference_for(received_at: dt.datetime, number: int) -> str:
    return f"VAL-{received_at.year}-{number:06d}"


def number_in(reference: str) -> int | None:
    """The case number a VAL reference (VAL-YYYY-N, any case and spacing) names; None when `reference` is not
    one. The year is checked against the case found (reference_for)."""
    parts = reference.strip().upper().split("-")
    if len(parts) == 3 and parts[0] == "VAL" and parts[1].isdigit() and parts[2].isdigit():
        return int(parts[2])
    return None
