"""When `val run` restarts a child that stopped, and when it stops trying (docs/operations.md). Pure: the
supervisor in `cli/run.py` asks, with how many restarts in a row the child has had and how long it stayed up."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RestartPolicy:
    # Seconds before each restart in a row: doubling, then every minute.
    delays: tuple[float, ...] = (1, 2, 4, 8, 16, 32, 60)
    # A child that stayed up this long had recovered: its next stop starts the backoff again.
    steady_after: float = 300.0
    # The restart in a row that raises an alert for a person (one that keeps failing needs one).
    alert_at: int = 3
    # After this many restarts in a row, nothing is kept up by trying again: stop everything, exit non-zero.
    give_up_after: int = 10


@dataclass(frozen=True)
class Restart:
    in_seconds: float
    in_a_row: int  # this restart's number in the current run of restarts
    alert: bool


def after_stop(policy: RestartPolicy, restarts_in_a_row: int, up_for: float) -> Restart | None:
    """What follows a child's stop: the restart, or None when it cannot be kept up."""
    in_a_row = 1 if up_for >= policy.steady_after else restarts_in_a_row + 1
    if in_a_row > policy.give_up_after:
        return None
    delay = policy.delays[min(in_a_row, len(policy.delays)) - 1]
    return Restart(in_seconds=delay, in_a_row=in_a_row, alert=in_a_row == policy.alert_at)
