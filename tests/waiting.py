"""Waiting for something another process does: poll until it is so, and fail by name when it never is."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], *, what: str, timeout: float = 30, every: float = 0.2) -> T:
    """`condition()`'s first true value; an AssertionError naming `what` once `timeout` seconds pass without
    one (the last value in the message, so a failure says where things stood)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what} (last: {value!r})")
        time.sleep(every)
