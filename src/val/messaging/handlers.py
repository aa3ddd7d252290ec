"""What each outbox topic does once it is relayed. A topic with no handler is simply marked processed:
`referral.received` is recorded now and consumed by routing when that feature lands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}


def handle(session: Session, topic: str, payload: dict[str, Any]) -> None:
    handler = HANDLERS.get(topic)
    if handler is not None:
        handler(session, payload)
