"""Readiness from checks run in the background: /ready reports the last result of each check and how long ago
it was taken, so it answers at once whatever state the database or the broker is in (a check of a broker that is
down waits for its connect timeout; a load balancer's probe must not).

Each check runs in a thread of its own, every `interval` seconds, started by the first /ready. A check that has
not answered yet, or whose last answer is older than `stale_after` (its thread is stuck on a server that does
not answer), counts as failed. The threads hold the checks weakly: when the app goes, they stop."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

Check = Callable[[], bool]


@dataclass(frozen=True)
class Reading:
    ok: bool
    age_seconds: float | None  # None: no answer yet


class BackgroundChecks:
    def __init__(
        self,
        checks: dict[str, Check],
        *,
        interval: float,
        stale_after: float,
        first_wait: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._checks = dict(checks)
        self._interval, self._stale_after, self._first_wait, self._clock = (
            interval,
            stale_after,
            first_wait,
            clock,
        )
        self._results: dict[str, tuple[bool, float]] = {}
        self._answered = {name: threading.Event() for name in checks}
        self._started = False
        self._lock = threading.Lock()

    def readings(self) -> dict[str, Reading]:
        """The last answer of every check with its age; the first call starts the checks and waits a moment
        (`first_wait` in all) for their first answers."""
        if self._start():
            deadline = self._clock() + self._first_wait
            for answered in self._answered.values():
                answered.wait(max(0.0, deadline - self._clock()))
        now = self._clock()
        readings = {}
        for name in self._checks:
            found = self._results.get(name)
            if found is None:
                readings[name] = Reading(False, None)
                continue
            ok, at = found
            age = now - at
            readings[name] = Reading(ok and age <= self._stale_after, round(age, 3))
        return readings

    def _start(self) -> bool:
        with self._lock:
            if self._started:
                return False
            self._started = True
        me = weakref.ref(self)
        for name in self._checks:
            threading.Thread(
                target=_keep_checking, args=(me, name), name=f"val-ready-{name}", daemon=True
            ).start()
        return True

    def _run(self, name: str) -> None:
        try:
            ok = bool(self._checks[name]())
        except Exception:  # any failure means "not ready"; the reason is not the prober's business
            ok = False
        self._results[name] = (ok, self._clock())
        self._answered[name].set()


def _keep_checking(checks: weakref.ref[BackgroundChecks], name: str) -> None:
    while (alive := checks()) is not None:
        alive._run(name)
        interval = alive._interval
        del alive  # hold the checks only while running one: when the app goes, this thread ends
        time.sleep(interval)
