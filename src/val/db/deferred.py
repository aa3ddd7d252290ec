"""Rows written later, together: within `deferred_inserts(session)`, `insert_row` queues a row instead of
executing its INSERT, and the block's end writes each table's rows with one executemany, parents before
children. A file import writes hundreds of referrals per transaction; one statement per row per table was
most of its time (SQLAlchemy's per-execute cost, not the database's).

A read that could see a queued row must come after `flush_deferred` (or look at `queued_rows` itself): the
callers that read inside such a block (intake's repeat-victim lookup, routing's open offers, a duplicate's
case) do. Outside a block, `insert_row` executes at once, so every other path is unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Executable, Insert
from sqlalchemy.orm import Session

from val.db.session import pipelined

_KEY = "val.deferred_inserts"


class _Queue:
    def __init__(self) -> None:
        self.rows: dict[Insert, list[dict[str, Any]]] = {}
        # Statements without rows run once after the inserts (PostgreSQL folds a transaction's identical
        # NOTIFYs into one anyway).
        self.once: dict[str, Executable] = {}

    def flush(self, session: Session) -> None:
        if not self.rows and not self.once:
            return
        order = {table: n for n, table in enumerate(_sorted_tables(self.rows))}
        with pipelined(session):
            for statement in sorted(self.rows, key=lambda s: order[s.table]):
                session.execute(statement, self.rows[statement])
            for once in self.once.values():
                session.execute(once)
        self.rows.clear()
        self.once.clear()


def _sorted_tables(rows: dict[Insert, list[dict[str, Any]]]) -> list[Any]:
    """The queued tables, parents first (their metadata's dependency order)."""
    tables: set[Any] = {statement.table for statement in rows}
    metadata = next(iter(tables)).metadata if tables else None
    ordered = [t for t in metadata.sorted_tables if t in tables] if metadata is not None else []
    return ordered + [t for t in tables if t not in ordered]


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
    queued = queue.rows.setdefault(statement, [])
    if isinstance(row, list):
        queued.extend(row)
    else:
        queued.append(row)


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


def flush_deferred(session: Session) -> None:
    """Write what is queued now, so that the next read sees it."""
    queue = _queue(session)
    if queue is not None:
        queue.flush(session)
