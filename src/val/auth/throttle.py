"""Throttling failed authentication: a client that gets the key wrong more than N times a minute is told to wait
(429 with Retry-After) before it may try again, so keys cannot be guessed at speed. Counted in a moving window
that every API process shares: in Redis with the `limits` library in production, in the database (table
auth_failures) in the embedded mode, where there is no Redis and a count in each process's memory would let a
client fail once per process."""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from typing import TYPE_CHECKING, Protocol

from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from val.auth import store

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

NAMESPACE = "val-auth-failures"
log = logging.getLogger("val.auth")


WINDOW = dt.timedelta(minutes=1)


class _Window(Protocol):
    def wait_seconds(self, client: str, session: Session) -> int | None: ...
    def failed(self, client: str) -> None: ...


class _RedisWindow:
    def __init__(self, storage_uri: str, failures_per_minute: int) -> None:
        self.limit = RateLimitItemPerMinute(failures_per_minute)
        self.window = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def wait_seconds(self, client: str, session: Session) -> int | None:
        if self.window.test(self.limit, NAMESPACE, client):
            return None
        reset_at = self.window.get_window_stats(self.limit, NAMESPACE, client).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def failed(self, client: str) -> None:
        self.window.hit(self.limit, NAMESPACE, client)


class _DatabaseWindow:
    """The moving window in the database, in transactions of its own (a refused request rolls its own back)."""

    def __init__(self, engine: Engine, failures_per_minute: int) -> None:
        self.engine, self.allowed = engine, failures_per_minute

    def wait_seconds(self, client: str, session: Session) -> int | None:
        # Blocked while the allowance-th latest failure is less than a minute old. Read in the request's own
        # transaction: on SQLite another would wait for the request's write lock.
        nth = store.nth_latest_failure(session, client, self.allowed)
        now = dt.datetime.now(dt.UTC)
        if nth is None or nth <= now - WINDOW:
            return None
        latest: dt.datetime = nth
        return max(1, math.ceil((latest + WINDOW - now).total_seconds()))

    def failed(self, client: str) -> None:
        """In a transaction of its own: the request's is rolled back (nothing of a refused request is kept),
        and the caller must have ended it first, or on SQLite this would wait for its write lock."""
        now = dt.datetime.now(dt.UTC)
        store.record_failure(self.engine, client, now, now - WINDOW)


class FailedAuthThrottle:
    def __init__(self, storage_uri: str, failures_per_minute: int, engine: Engine | None = None) -> None:
        self.window: _Window = (
            _DatabaseWindow(engine, failures_per_minute)
            if engine is not None and storage_uri == "memory://"
            else _RedisWindow(storage_uri, failures_per_minute)
        )

    def wait_seconds(self, client: str, session: Session) -> int | None:
        """How long `client` must wait before trying again; None when it may try now. If Redis cannot be
        reached, the client may try: the API stays up, and the failure is logged. A database failure is the
        request's own (it needs the database anyway), so it is raised as any other would be."""
        if isinstance(self.window, _DatabaseWindow):
            return self.window.wait_seconds(client, session)
        try:
            return self.window.wait_seconds(client, session)
        except Exception as exc:  # any storage failure; never a reason to refuse service
            log.warning("auth throttle unavailable", extra={"error_type": type(exc).__name__})
            return None

    def failed(self, client: str) -> None:
        try:
            self.window.failed(client)
        except Exception as exc:  # as above
            log.warning("auth throttle unavailable", extra={"error_type": type(exc).__name__})


def storage_for(broker_url: str) -> str:
    """Redis when VAL runs on Redis; otherwise `memory://`, which FailedAuthThrottle counts in the database
    when it is given one (so every process shares the count)."""
    return broker_url if broker_url.startswith(("redis://", "rediss://")) else "memory://"
