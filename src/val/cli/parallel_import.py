"""`val import` in several processes. Each chunk of the file is one transaction; answers come back in file order.

PostgreSQL: a pool of processes validates and writes chunks at the same time, each with its own connection.
Two chunks holding the same referral twice (a police export does repeat lines) can deadlock on its duplicate
key: PostgreSQL then aborts one, whose chunk is simply run again.

SQLite has a single writer: the pool only validates, and this process writes every chunk, in file order,
through one connection. Writers taking turns made each one's page cache useless (another's commit discards
it), and SQLite's own checkpoints never finished between them: over 100,000 referrals its write-ahead log
grew to 3.5 GB.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import Pool
from typing import Any, TypeVar

from val.auth.roles import Principal
from val.cases.match_keys import keyer_for
from val.db.session import Database, DatabaseError, unit_of_work
from val.referrals import batch
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.rulebook import load_rulebook
from val.settings import Settings

RETRIED_SQLSTATES = ("40P01", "40001")  # deadlock detected, serialization failure
ATTEMPTS = 5
WINDOW_PER_PROCESS = 4  # chunks handed to each process at a time
T = TypeVar("T")

_worker: dict[str, Any] = {}


def import_database(settings: Settings) -> Database:
    """One connection for an importing process. Its tables grow under it, so each statement is planned afresh
    (`plan_each_time`): a plan cached while they were small would be kept while they grow."""
    return Database(settings.effective_database_url, pool_size=1, plan_each_time=True)


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _start(settings: Settings, principal: Principal) -> None:
    """In each pool process: its own connection, and what intake needs, loaded once."""
    configure_policing_areas(settings.policing_areas)
    _worker.update(
        database=import_database(settings),
        rulebook=load_rulebook(settings.config_dir),
        keyer=keyer_for(settings),
        principal=principal,
    )


def _import_chunk(chunk: list[tuple[int, Any]]) -> list[dict[str, Any]]:
    database: Database = _worker["database"]
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return batch.import_records(
                lambda: unit_of_work(database),
                _worker["principal"],
                chunk,
                _worker["rulebook"],
                repeat_keyer=_worker["keyer"],
                records_per_transaction=len(chunk),
            ).results
        except DatabaseError as exc:
            if getattr(exc.orig, "sqlstate", None) not in RETRIED_SQLSTATES or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _start_validating(settings: Settings) -> None:
    configure_policing_areas(settings.policing_areas)
    _worker.update(schema=ReferralSchema())


def _validate_chunk(chunk: list[tuple[int, Any]]) -> batch.CheckedChunk:
    return batch.validate_chunk(_worker["schema"], chunk)


def import_in_parallel(
    settings: Settings,
    principal: Principal,
    records: Iterable[tuple[int, Any]],
    *,
    jobs: int,
    records_per_transaction: int,
    on_records: Callable[[int], None],
    into: batch.BatchResult,
) -> batch.BatchResult:
    pieces = batch.chunks(records, records_per_transaction)
    # fork: the children start at once with the parent's modules loaded; each opens its own connection.
    context = multiprocessing.get_context("fork")
    if not settings.effective_database_url.startswith("sqlite"):
        with context.Pool(jobs, initializer=_start, initargs=(settings, principal)) as pool:
            for answers in _in_windows(pool, _import_chunk, pieces, jobs):
                into.add(answers)
                on_records(len(answers))
        return into
    database = import_database(settings)
    rulebook, keyer = load_rulebook(settings.config_dir), keyer_for(settings)
    # One core is this process's, writing; validating is a fifth of the work, so the others keep ahead of it.
    validators = max(1, jobs - 1)
    with context.Pool(validators, initializer=_start_validating, initargs=(settings,)) as pool:
        try:
            for checked in _in_windows(pool, _validate_chunk, pieces, validators):
                answers = batch.write_chunk(
                    lambda: unit_of_work(database), principal, checked, rulebook, repeat_keyer=keyer
                )
                into.add(answers)
                on_records(len(answers))
        finally:
            database.dispose()
    return into


def _in_windows(pool: Pool, work: Callable[[Any], T], pieces: Iterator[Any], jobs: int) -> Iterator[T]:
    """`pool.imap(work, pieces)`, a few chunks per process at a time: imap alone reads its whole input ahead,
    and a year's file would sit in memory waiting its turn."""
    while window := list(itertools.islice(pieces, WINDOW_PER_PROCESS * jobs)):
        yield from pool.imap(work, window)
