"""Throttling failed authentication: a client that gets the key wrong more than N times a minute is told to wait
(429 with Retry-After) before it may try again, so keys cannot be guessed at speed. Counted with the `limits`
library in a moving window: in Redis in production, so every API process and machine shares one count; in
memory in the embedded mode."""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

NAMESPACE = "val-auth-failures"
log = logging.getLogger("val.auth")


class FailedAuthThrottle:
    def __init__(self, storage_uri: str, failures_per_minute: int) -> None:
        self.limit = RateLimitItemPerMinute(failures_per_minute)
        self.window = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def wait_seconds(self, client: str) -> int | None:
        """How long `client` must wait before trying again; None when it may try now. If the count cannot be
        read (Redis unreachable), the client may try: the API stays up, and the failure is logged."""
        try:
            if self.window.test(self.limit, NAMESPACE, client):
                return None
            reset_at = self.window.get_window_stats(self.limit, NAMESPACE, client).reset_time
        except Exception as exc:  # noqa: BLE001 — any storage failure; never a reason to refuse service
            log.warning("auth throttle unavailable", extra={"error_type": type(exc).__name__})
            return None
        return max(1, math.ceil(reset_at - time.time()))

    def failed(self, client: str) -> None:
        try:
            self.window.hit(self.limit, NAMESPACE, client)
        except Exception as exc:  # noqa: BLE001 — as above
            log.warning("auth throttle unavailable", extra={"error_type": type(exc).__name__})


def storage_for(broker_url: str) -> str:
    """Redis when VAL runs on Redis (the count is shared by every process), memory otherwise."""
    return broker_url if broker_url.startswith(("redis://", "rediss://")) else "memory://"
