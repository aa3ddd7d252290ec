"""Rows written later, together: within `deferred_inserts(session)`, `insert_row` queues a row instead of
executing its INSERT, and the block's end writes each table's rows with one executemany, parents before
children. A file import writes hundreds of referrals per transaction; one statement per row per table was
most of its time (SQLAlchemy's per-execute cost, not the database's).

A read that could see a queued row must come after `flush_deferred` (or look at `queued_rows` itself): the
callers that read inside such a block (intake's repeat-victim lookup, a duplicate's case) do. What a batch may
take as it was when it began is read once per block (`read_once`: routing's provider directory), with the
block's own rows since then added (`written_rows`: its offers, against capacity). Outside a block,
`insert_row` executes at once and `read_once` always reads, so every other path is unchanged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import Executable, Insert
from sqlalchemy.orm import Session

from val.db.session import pipelined

_KEY = "val.deferred_inserts"
T = TypeVar("T")


class _Queue:
    def __init__(self) -> None:
        self.rows: dict[Insert, list[dict[str, Any]]] = {}
        # Every row of the block, written yet or not, and what the block chose to read only once.
        self.written: dict[Insert, list[dict[str, Any]]] = {}
        self.read: dict[str, Any] = {}
        # Statements without rows run once after the inserts (PostgreSQL folds a transaction's identical
        # NOTIFYs into one anyway).
        self.once: dict[str, Executable] = {}

    def flush(self, session: Session) -> None:
        if not self.rows and not self.once:
            return
        with pipelined(session):
            for statement in sorted(self.rows, key=lambda s: _position(s.table)):
                session.execute(statement, self.rows[statement])
            for once in self.once.values():
                session.execute(once)
        self.rows.clear()
        self.once.clear()


_POSITIONS: dict[Any, dict[Any, int]] = {}


def _position(table: Any) -> int:
    """A table's place in its metadata's dependency order, parents first (sorted once per metadata)."""
    positions = _POSITIONS.get(table.metadata)
    if positions is None:
        positions = _POSITIONS[table.metadata] = {t: n for n, t in enumerate(table.metadata.sorted_tables)}
    return positions[table]


def _queue(session: Session) -> _Queue | None:
    return session.info.get(_KEY)


@contextmanager
def deferred_inserts(session: Session) -> Iterator[None]:
    """Queue `insert_row`'s rows in this block and write them when it ends normally; on an error they are
    dropped with the transaction the caller then rolls back."""
    if _queue(session) is not None:  # already inside one: the outer block writes them
        yield
        return
    queue = session.info[_KEY] = _Queue()
    try:
        yield
        queue.flush(session)
    finally:
        session.info.pop(_KEY, None)


def insert_row(session: Session, statement: Insert, row: dict[str, Any] | list[dict[str, Any]]) -> None:
    """Execute `statement` (an INSERT returning nothing) with `row`, now or at the end of the enclosing
    `deferred_inserts` block."""
    queue = _queue(session)
    if queue is None:
        session.execute(statement, row)
        return
    rows = row if isinstance(row, list) else [row]
    queue.rows.setdefault(statement, []).extend(rows)
    queue.written.setdefault(statement, []).extend(rows)


def execute_once(session: Session, statement: Executable, name: str) -> None:
    """Execute a statement without rows now, or once at the end of the enclosing block however often it is
    asked for."""
    queue = _queue(session)
    if queue is None:
        session.execute(statement)
    else:
        queue.once.setdefault(name, statement)


def queued_rows(session: Session, statement: Insert) -> list[dict[str, Any]]:
    """The rows of `statement` not written yet (none outside a block)."""
    queue = _queue(session)
    return queue.rows.get(statement, []) if queue is not None else []


def written_rows(session: Session, statement: Insert) -> list[dict[str, Any]]:
    """Every row of `statement` this block has written, sent to the database yet or not (none outside a
    block). The list grows as the block goes on."""
    queue = _queue(session)
    return queue.written.setdefault(statement, []) if queue is not None else []


def read_once(session: Session, name: str, read: Callable[[], T]) -> T:
    """`read()` at its first call in the block, the same answer after it; every call outside a block reads.
    For what a batch may take as it was when the batch began (the provider directory of an import's chunk),
    adding what the batch itself wrote since (`written_rows`)."""
    queue = _queue(session)
    if queue is None:
        return read()
    if name not in queue.read:
        queue.read[name] = read()
    return cast(T, queue.read[name])


def read_earlier(session: Session, name: str) -> Any | None:
    """What `read_once` read under `name` in the enclosing block; None outside one, or before it was read."""
    queue = _queue(session)
    return queue.read.get(name) if queue is not None else None


def flush_deferred(session: Session) -> None:
    """Write what is queued now, so that the next read sees it."""
    queue = _queue(session)
    if queue is not None:
        queue.flush(session)
