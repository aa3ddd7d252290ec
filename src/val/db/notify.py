"""PostgreSQL's LISTEN, for the workers' relay: a NOTIFY commits with the transaction that issued it, so a
listener hears of new work the moment it is committed."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg


def notifications(url: str, channel: str) -> Iterator[None]:
    """Once as soon as the listener is listening (to catch up on what was committed before), then once per
    notification on `channel`. Connection errors are raised to the caller, which reconnects."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as listening:
        listening.execute(f"LISTEN {channel}")
        yield
        for _ in listening.notifies():
            yield
