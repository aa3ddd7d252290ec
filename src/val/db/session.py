"""Engines, sessions and the unit of work.

Sessions are passed explicitly. The entry point (an HTTP request, a Celery task, a CLI command) owns the
transaction: it opens a unit of work, which commits when its block ends normally and rolls back otherwise.
Services take the session and never commit or roll back.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Executable, Result, create_engine, event, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from val.db.settle import after_commit, committed, forget, settle

log = logging.getLogger("val.db")

# The database's own failures (refused, lost, a constraint), for entry points that report them.
DatabaseError = DBAPIError


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling starts deferred transactions, which fail with SQLITE_BUSY when
    # two writers upgrade at once; take the write lock up front instead (SQLAlchemy's documented recipe).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Deleted and overwritten content is zeroed, not left in free pages: retention must leave nothing.
        cursor.execute("PRAGMA secure_delete=ON")
        # A year of referrals is hundreds of megabytes, with random (uuid) keys in every index: the default
        # 2 MiB page cache made a large import re-read pages from the OS all the time.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _private_file(path: Path) -> None:
    """The embedded database holds special category data: only VAL's own account may read it. SQLite gives its
    -wal and -shm files the database file's mode, so creating that file 0600 covers all three."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)


def make_engine(url: str, *, pool_size: int = 5, plan_each_time: bool = False) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            _private_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": 10}, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    # plan_each_time, for a bulk load: its tables grow under it, and a prepared statement's plan made while
    # they were small (scan the whole table: it is empty) would be kept while they grow.
    options = {"options": "-c plan_cache_mode=force_custom_plan"} if plan_each_time else {}
    # hide_parameters: error messages must never quote the personal data that was being written.
    return create_engine(
        url,
        connect_args=options,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        pool_recycle=1800,
        hide_parameters=True,
    )


class Database:
    """An engine and its session factory, built from settings at start-up (never at import)."""

    def __init__(self, url: str, *, pool_size: int = 5, plan_each_time: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size, plan_each_time=plan_each_time)
        # A forked child (a Celery pool process, a gunicorn worker) must not use or close the connections it
        # inherited: they belong to the parent. Drop them without closing; the child opens its own.
        os.register_at_fork(after_in_child=lambda: self.engine.dispose(close=False))
        # expire_on_commit=False: the response is built from objects after commit without a re-SELECT.
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def without_waiting_for_disk(session: Session) -> None:
    """Let this transaction commit without waiting for the WAL flush (PostgreSQL). Only for writes whose loss
    in a server crash is harmless: a later durable commit on the same server flushes them anyway, and if none
    follows they describe work that never committed either."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def plain_rows(
    session: Session, statement: Executable, params: Mapping[str, Any] | None = None
) -> Result[*tuple[Any, ...]]:
    """A read on the session's connection, in its transaction, without what `Session.execute` adds to every
    call (events, autoflush, ORM result processing): about 0.03 ms, a third of a one-row lookup's CPU. For
    prebuilt reads of plain columns on paths run all day, before anything is pending to flush."""
    return session.connection().execute(statement, params)


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """Inserts whose results nobody reads are sent without waiting for each answer (psycopg's pipeline mode on
    PostgreSQL; nothing changes on SQLite, which has no round trips). An error in any of them is raised at
    the end of the block at the latest, and the transaction then rolls back as a whole. Only statements
    that return no rows may run inside: a SELECT's rows are not there until the pipeline syncs."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    connection = session.connection()
    driver_connection: Any = connection.connection.driver_connection
    try:
        with driver_connection.pipeline():
            yield
    except connection.dialect.loaded_dbapi.Error as exc:
        # Raised by the driver when the pipeline syncs, outside SQLAlchemy's execute: wrap it as SQLAlchemy
        # would (an IntegrityError stays one) and drop a connection the server has closed.
        lost = connection.dialect.is_disconnect(exc, driver_connection, None)
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(
            None, None, exc, connection.dialect.loaded_dbapi.Error, connection_invalidated=lost
        ) from exc


@contextmanager
def committing(session: Session) -> Iterator[Session]:
    """One unit of work on a session the entry point already holds: committed when the block ends normally,
    rolled back when it raises."""
    try:
        yield session
        settle(session)
        session.commit()
    except BaseException:
        forget(session)
        session.rollback()
        raise
    committed(session)


@contextmanager
def unit_of_work(database: Database) -> Iterator[Session]:
    """A fresh session for one unit of work: committed when the block ends normally, rolled back otherwise."""
    with database.sessions() as session, committing(session):
        yield session


@contextmanager
def read_only(database: Database) -> Iterator[Session]:
    """A fresh session whose work is never committed (listings, reports)."""
    with database.sessions() as session:
        try:
            yield session
        finally:
            session.rollback()


def empty_the_log(engine: Engine) -> bool:
    """SQLite: copy the write-ahead log into the database and truncate it, so content just erased (retention)
    does not live on in the log's old page images; with secure_delete the database file holds none either.
    False when a reader kept the checkpoint from finishing (the next one will). PostgreSQL: nothing to do."""
    if engine.dialect.name != "sqlite":
        return True
    connection = engine.raw_connection()
    try:
        busy, _, _ = connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.close()
    return bool(busy == 0)


def empty_the_log_after_commit(session: Session) -> None:
    """Once this unit of work has committed what it erased, empty the log of the pages that held it."""
    engine = session.get_bind()
    if isinstance(engine, Engine) and engine.dialect.name == "sqlite":

        def empty() -> None:
            if not empty_the_log(engine):
                log.info("the database log is still in use; it is emptied at the next checkpoint")

        after_commit(session, empty)


def reachable(db: Database) -> bool:
    """Whether the database answers a trivial query now (for /ready); any failure means it does not."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # the reason is not the caller's business
        return False


def database_unreachable(error: BaseException | None) -> bool:
    """Whether a database error means the server could not be reached or went away (a restart, a failover,
    refused connections) rather than something wrong with the request."""
    return isinstance(error, DBAPIError) and (
        error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    )
