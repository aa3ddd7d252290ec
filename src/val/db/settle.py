"""What a unit of work keeps true once, at its end: a feature that changes something a derived value depends
on (a case's status follows its consent and assignments; its earliest open due date follows its points) asks
for the step `later`, and `settle` runs each step asked for once per key, however many changes asked.

The entry point settles before it commits (`committing`, and the request's commit); a read that must show the
settled values (the case as a coordinator sees it) settles first. Steps run in the order first asked; a step
may ask for more, which run in the same `settle`."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Step = Callable[["Session", Hashable], None]
_KEY = "val.settle"


def later(session: Session, step: Step, key: Hashable) -> None:
    """Run `step(session, key)` when the unit of work settles (once, however often asked)."""
    pending: dict[tuple[Step, Hashable], None] = session.info.setdefault(_KEY, {})
    pending[(step, key)] = None


def settle(session: Session) -> None:
    """Run every step asked for since the last settle, and any they ask for in turn."""
    while pending := session.info.pop(_KEY, None):
        for step, key in pending:
            step(session, key)


def forget(session: Session) -> None:
    """Drop what was asked (the unit of work rolled back: the changes that asked are gone)."""
    session.info.pop(_KEY, None)
