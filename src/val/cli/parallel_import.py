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

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from val.auth.roles import Principal
from val.cases.match_keys import keyer_for
from val.db.session import Database, DatabaseError, unit_of_work
from val.referrals import batch
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.rulebook import load_rulebook
from val.settings import Settings

RETRIED_SQLSTATES = ("40P01", "40001")  # deadlock detected, serialization failure
ATTEMPTS = 5

_worker: dict[str, Any] = {}


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _start(settings: Settings, principal: Principal) -> None:
    """In each pool process: its own connection, and what intake needs, loaded once."""
    configure_policing_areas(settings.policing_areas)
    _worker.update(
        database=Database(settings.effective_database_url, pool_size=1),
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
    records: list[tuple[int, Any]],
    *,
    jobs: int,
    records_per_transaction: int,
    on_records: Callable[[int], None],
) -> batch.BatchResult:
    result = batch.BatchResult()
    pieces = batch.chunks(records, records_per_transaction)
    # fork: the children start at once with the parent's modules loaded; each opens its own connection.
    context = multiprocessing.get_context("fork")
    if not settings.effective_database_url.startswith("sqlite"):
        with context.Pool(jobs, initializer=_start, initargs=(settings, principal)) as pool:
            for answers in pool.imap(_import_chunk, pieces):
                result.results.extend(answers)
                on_records(len(answers))
        return result
    database = Database(settings.effective_database_url, pool_size=1)
    rulebook, keyer = load_rulebook(settings.config_dir), keyer_for(settings)
    # One core is this process's, writing; validating is a fifth of the work, so the others keep ahead of it.
    with context.Pool(max(1, jobs - 1), initializer=_start_validating, initargs=(settings,)) as pool:
        try:
            for checked in pool.imap(_validate_chunk, pieces):
                answers = batch.write_chunk(
                    lambda: unit_of_work(database), principal, checked, rulebook, repeat_keyer=keyer
                )
                result.results.extend(answers)
                on_records(len(answers))
        finally:
            database.dispose()
    return result
