"""When `val run` restarts a child that stopped (table-driven, no processes)."""

from __future__ import annotations

import pytest

from val.cli.restarts import Restart, RestartPolicy, after_stop

POLICY = RestartPolicy(delays=(1, 2, 4, 60), steady_after=300, alert_at=3, give_up_after=5)


@pytest.mark.parametrize(
    ("restarts_in_a_row", "up_for", "expected"),
    [
        (0, 0.5, Restart(1, 1, alert=False)),  # first stop: a second's wait
        (1, 2, Restart(2, 2, alert=False)),  # doubling
        (2, 3, Restart(4, 3, alert=True)),  # the third in a row raises the alert, once
        (3, 5, Restart(60, 4, alert=False)),  # then every minute
        (4, 61, Restart(60, 5, alert=False)),
        (5, 61, None),  # the sixth in a row: it cannot be kept up
        (5, 300, Restart(1, 1, alert=False)),  # up five minutes: recovered, the backoff starts again
        (9, 1000, Restart(1, 1, alert=False)),
    ],
)
def test_restart_after_a_stop(restarts_in_a_row, up_for, expected):
    assert after_stop(POLICY, restarts_in_a_row, up_for) == expected


def test_the_default_policy_backs_off_to_a_minute_and_gives_up_after_ten():
    policy, in_a_row, delays = RestartPolicy(), 0, []
    while (restart := after_stop(policy, in_a_row, up_for=1)) is not None:
        delays.append(restart.in_seconds)
        in_a_row = restart.in_a_row
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
