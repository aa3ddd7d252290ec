"""`val import` in several processes: chunks of the file go to a pool of processes, each with its own database
connection; their answers come back in file order.

Each chunk is one transaction (`batch.import_records`). While one process writes its chunk, another validates
its own: on SQLite, whose single writer takes chunks in turn, that is the gain; on PostgreSQL the chunks are
also written at the same time. Two chunks holding the same referral twice (a police export does repeat
lines) can deadlock on its duplicate key: PostgreSQL then aborts one, whose chunk is simply run again.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError

from val.auth.roles import Principal
from val.db.session import Database, unit_of_work
from val.records.match_keys import keyer_for
from val.referrals import batch
from val.referrals.schemas import configure_policing_areas
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
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in RETRIED_SQLSTATES or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


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
    # fork: the children start at once with the parent's modules loaded; each opens its own connection.
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_start, initargs=(settings, principal)) as pool:
        for answers in pool.imap(_import_chunk, batch.chunks(records, records_per_transaction)):
            result.results.extend(answers)
            on_records(len(answers))
    return result
