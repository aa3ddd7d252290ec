"""What a unit of work does at its end: settles what it keeps true, and, once committed, runs what must wait
for the commit.

Settling: a feature that changes something a derived value depends
on (a case's status follows its consent and assignments; its earliest open due date follows its points) asks
for the step `later`, and `settle` runs each step asked for once per key, however many changes asked.

The entry point settles before it commits (`committing`, and the request's commit); a read that must show the
settled values (the case as a coordinator sees it) settles first. Steps run in the order first asked; a step
may ask for more, which run in the same `settle`.

After the commit (`after_commit`): work that must not happen unless the unit's changes are kept, and that is
not the database's own (e.g. emptying SQLite's log of the pages retention just erased). It runs once the
commit returned; a failure there is logged, never raised: the unit's work is kept either way."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Step = Callable[["Session", Hashable], None]
_KEY = "val.settle"
_AFTER = "val.after_commit"
log = logging.getLogger("val.db")


def later(session: Session, step: Step, key: Hashable) -> None:
    """Run `step(session, key)` when the unit of work settles (once, however often asked)."""
    pending: dict[tuple[Step, Hashable], None] = session.info.setdefault(_KEY, {})
    pending[(step, key)] = None


def settle(session: Session) -> None:
    """Run every step asked for since the last settle, and any they ask for in turn."""
    while pending := session.info.pop(_KEY, None):
        for step, key in pending:
            step(session, key)


def after_commit(session: Session, action: Callable[[], object]) -> None:
    """Run `action` once this unit of work has committed (never if it rolls back)."""
    session.info.setdefault(_AFTER, []).append(action)


def committed(session: Session) -> None:
    """The unit of work committed: run what waited for it."""
    for action in session.info.pop(_AFTER, []):
        try:
            action()
        except Exception as exc:  # the work is committed; what follows it must not undo the answer
            log.warning("after-commit action failed", extra={"error_type": type(exc).__name__})


def forget(session: Session) -> None:
    """Drop what was asked (the unit of work rolled back: the changes that asked are gone)."""
    session.info.pop(_KEY, None)
    session.info.pop(_AFTER, None)
