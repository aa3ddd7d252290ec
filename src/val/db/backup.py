"""A consistent copy of the embedded database while it is in use: SQLite's online backup API copies a snapshot
of every page, whoever is writing meanwhile (docs/operations.md). PostgreSQL has its own tools (pg_dump,
pg_basebackup with point-in-time recovery)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the database at `source` to a new file `target` (0600), consistent as of one moment."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(descriptor)
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as live,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy)  # all pages in one step: one snapshot, under a read transaction
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it


def intact(path: Path) -> bool:
    """Whether SQLite finds the file whole (PRAGMA integrity_check)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
        return bool(database.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


def count_rows(path: Path, table: str) -> int:
    """How many rows `table` (a name VAL gives, never a caller's input) holds, for a backup's manifest."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
        return int(database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
