"""What VAL already holds about the same victim (docs/data-lifecycle.md): earlier cases matched by the
repeat-victim hash, found by `cases.store.repeat_history`. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from val.triage.rules import add_months

WINDOW_MONTHS = 12


@dataclass(frozen=True)
class RepeatHistory:
    previous_cases: int = 0
    last_received_on: dt.date | None = None
    last_marac_case_on: dt.date | None = None


def window_start(now: dt.datetime) -> dt.datetime:
    """The start of the 12 months before `now` in which earlier cases count."""
    return dt.datetime.combine(add_months(now.date(), -WINDOW_MONTHS), dt.time(), tzinfo=dt.UTC)


def repeat_view(previous_cases: int, last_received_on: dt.date | None) -> dict[str, Any] | None:
    """The coordinator's `repeat` of a case, or None for a first referral."""
    if not previous_cases:
        return None
    return {"previous_cases_12_months": previous_cases, "last_received_on": last_received_on}
