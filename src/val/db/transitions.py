"""Guarded state changes: the one way a status is written.

Every change of state is `UPDATE … SET status = :to WHERE id = :id AND status = :from [AND …]`, with `from → to`
taken from the record's transition table. The guard in the WHERE clause makes the database the referee: when no
row matches, another actor (a worker whose lease outlived ours, a coordinator in another tab, a sweep) got there
first, and nothing is written. `tests/unit/test_transitions_only.py` finds any other write of a status.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, Update, update
from sqlalchemy.orm import Session

from val.db.base import Base, rows_affected, table_of
from val.errors import ConflictError
from val.states import TransitionTable

S = TypeVar("S", bound=StrEnum)


class LostRace(ConflictError):
    """The record was no longer in the state the change started from: someone else changed it first."""


def _sources(rules: TransitionTable[S], source: S | str | Iterable[S], target: S) -> list[str]:
    sources = [source] if isinstance(source, str) else list(source)
    for each in sources:
        rules.check(each, target)
    return [str(each) for each in sources]


def guarded_update(
    record: type[Base] | Table,
    rules: TransitionTable[S],
    source: S | str | Iterable[S],
    target: S,
    *where: ColumnElement[bool],
    **values: Any,
) -> Update:
    """The statement for `source → target` (one state, or several for a sweep) on the rows `where` selects:
    checked against the table now, guarded by the source state when it runs. On a mapped class the statement
    is ORM-enabled, so objects already loaded in the session see the new values."""
    sources = _sources(rules, source, target)
    status = (record if isinstance(record, Table) else table_of(record)).c.status
    guard = status == sources[0] if len(sources) == 1 else status.in_(sources)
    return update(record).where(guard, *where).values(status=target.value, **values)


def transition(
    session: Session,
    record: type[Base] | Table,
    rules: TransitionTable[S],
    source: S | str,
    target: S,
    *where: ColumnElement[bool],
    **values: Any,
) -> None:
    """Move one record (`where` names it) from `source` to `target`; LostRace (409) when it was no longer in
    `source`, and then nothing was written."""
    if not move_all(session, record, rules, source, target, *where, **values):
        raise LostRace(f"The {rules.record} is no longer {source}: it was changed meanwhile.", field="status")


def move_all(
    session: Session,
    record: type[Base] | Table,
    rules: TransitionTable[S],
    source: S | str | Iterable[S],
    target: S,
    *where: ColumnElement[bool],
    **values: Any,
) -> int:
    """Every row `where` selects that is in one of `source` moves to `target` (sweeps, releases): how many."""
    return rows_affected(session.execute(guarded_update(record, rules, source, target, *where, **values)))
