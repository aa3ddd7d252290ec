"""Import benchmark: `val import` of a police area's mix of referrals (fictional people), as NDJSON.

Victims' names are all different, but a tenth of the referrals are about a victim referred earlier (the same
name, date of birth and postcode), as repeat victimisation makes a real export.

- 100,000 (a busy area's year) on SQLite as `make run` keeps it, and on PostgreSQL with durable commits: under
  2 minutes each.
- 1,000,000 (a national-size year) on PostgreSQL: under 15 minutes, with memory flat (the import's processes,
  together, hold no more at the end than a tenth of the way in, give or take a quarter).

There is no baseline to divide by: the target is the time somebody with a year's export waits. The 100,000 on
PostgreSQL is the first tenth of the 1,000,000 (the same import into the same new database, timed at its
progress line), which saves `make bench` two of its minutes."""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.memory import children, rss_mb
from bench.results import Row
from harness.servers import PostgresServer
from val.demo.sample import referral_body

ROOT = Path(__file__).resolve().parents[1]
VAL = str(Path(sys.executable).parent / "val")
REFERRALS = int(os.environ.get("BENCH_IMPORT_REFERRALS", 100_000))
NATIONAL = int(os.environ.get("BENCH_IMPORT_NATIONAL", 1_000_000))
AREAS = ("herefordshire", "north_worcestershire", "south_worcestershire", "shropshire", "telford_and_wrekin")
TARGET_S = 120.0
NATIONAL_TARGET_S = 900.0
FLAT = 1.25  # memory at the end ÷ memory a tenth of the way in
# A server that takes year-sized imports, set up as docs/operations.md says: a buffer cache that holds the
# indexes being written (PostgreSQL's default of 128 MB did not: at 300,000 cases its backends were writing out
# dirty pages themselves, and the import slowed to 570 a second), and checkpoints by time rather than by WAL.
LOADING_SERVER = {"shared_buffers": "2GB", "max_wal_size": "8GB", "checkpoint_timeout": "15min"}
PROGRESS = re.compile(r": (\d+)/(\d+) \(")
REPEAT_SHARE = 0.1  # referrals about a victim referred earlier in the year
RECENT = 5_000  # how far back such a victim's earlier referral is, at most


def _export(path: Path, referrals: int) -> None:
    rng, start = random.Random(2026), dt.datetime(2025, 12, 1, 8, tzinfo=dt.UTC)
    spacing = dt.timedelta(days=365) / referrals  # a year's referrals, whatever their number
    recent: collections.deque[dict[str, str]] = collections.deque(maxlen=RECENT)
    with path.open("w") as out:
        for n in range(referrals):
            body = referral_body(rng, n, start + spacing * n, AREAS)
            victim = body["victim"]
            # Matching ignores a name's digits, so "Demo1" and "Demo2" would be one victim: letters instead.
            victim["family_name"] = f"Demo{_letters(n)}"
            if recent and rng.random() < REPEAT_SHARE:
                victim.update(rng.choice(recent))
            else:
                recent.append({k: victim[k] for k in ("family_name", "date_of_birth", "postcode")})
            out.write(json.dumps(body) + "\n")


def _letters(n: int) -> str:
    """n written in letters: a, b, …, z, aa, ab, …"""
    letters = ""
    while True:
        n, rest = divmod(n, 26)
        letters = chr(ord("a") + rest) + letters
        if n == 0:
            return letters
        n -= 1


@dataclass
class Imported:
    seconds: float
    tenth_seconds: float  # when the progress line for a tenth of the file came
    memory_mb: list[tuple[float, float]] = field(default_factory=list)  # (share done, MB of every process)

    def memory_at(self, share: float) -> float:
        return next((mb for done, mb in self.memory_mb if done >= share), self.memory_mb[-1][1])

    @property
    def peak_mb(self) -> float:
        return max(mb for _, mb in self.memory_mb)


def _import(env: dict[str, str], export: Path, referrals: int) -> Imported:
    subprocess.run([VAL, "db", "upgrade"], env=env, check=True, capture_output=True)
    started = time.monotonic()
    process = subprocess.Popen(
        [VAL, "import", str(export)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    done = Imported(0.0, 0.0)
    share = [0.0]
    sampler = threading.Thread(target=_sample_memory, args=(process, share, done.memory_mb), daemon=True)
    sampler.start()
    assert process.stderr is not None
    for line in process.stderr:  # a progress line every tenth of the file (standard error is no terminal)
        if matched := PROGRESS.search(line):
            share[0] = int(matched[1]) / int(matched[2])
            if not done.tenth_seconds and share[0] >= 0.1:
                done.tenth_seconds = time.monotonic() - started
    stdout = process.stdout.read() if process.stdout else ""
    process.wait()
    done.seconds = time.monotonic() - started
    sampler.join()
    if process.returncode != 0 or f"{referrals} created" not in stdout:
        raise RuntimeError(f"val import failed: {stdout[-500:]}")
    return done


def _sample_memory(
    process: subprocess.Popen[str], share: list[float], into: list[tuple[float, float]]
) -> None:
    """The resident memory of the import and its pool processes together, every second until it ends."""
    while process.poll() is None:
        total = sum(rss_mb(pid) for pid in [process.pid, *children(process.pid)])
        if total:
            into.append((share[0], total))
        time.sleep(1.0)


def run() -> dict[str, Imported]:
    workdir = Path(tempfile.mkdtemp(prefix="val-bench-import-"))
    workdir.chmod(0o755)
    year, national = workdir / "year.ndjson", workdir / "national.ndjson"
    _export(year, REFERRALS)
    _export(national, NATIONAL)
    base = {k: v for k, v in os.environ.items() if k not in ("VAL_DATABASE_URL", "VAL_BROKER_URL")}
    base |= {"VAL_LOG_LEVEL": "WARNING", "VAL_MATCH_KEY": "b" * 64}
    results: dict[str, Imported] = {}
    try:
        embedded = {**base, "VAL_DATA_DIR": str(workdir / "embedded")}
        results["import_100k_sqlite_s"] = _import(embedded, year, REFERRALS)
        postgres = PostgresServer(workdir / "postgres", durable=True, settings=LOADING_SERVER).start()
        try:
            server = {**base, "VAL_DATA_DIR": str(workdir / "server"), "VAL_DATABASE_URL": postgres.url}
            results["import_1m_postgresql_s"] = _import(server, national, NATIONAL)
        finally:
            postgres.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def report(results: dict[str, Imported]) -> None:
    print("Import benchmark: val import of NDJSON referrals")
    sqlite, national = results["import_100k_sqlite_s"], results["import_1m_postgresql_s"]
    tenth = NATIONAL // 10
    for label, count, seconds in (
        ("SQLite", REFERRALS, sqlite.seconds),
        ("PostgreSQL, the first tenth", tenth, national.tenth_seconds),
        ("PostgreSQL", NATIONAL, national.seconds),
    ):
        print(f"  {label:<28} {count:>9,} in {seconds:7.1f} s   {count / seconds:6.0f} referrals/s")
    print(
        f"  memory of the PostgreSQL import's processes: {national.memory_at(0.1):.0f} MB a tenth of the way, "
        f"{national.memory_at(1.0):.0f} MB at the end, {national.peak_mb:.0f} MB at most"
    )


def rows(results: dict[str, Imported]) -> list[Row]:
    sqlite, national = results["import_100k_sqlite_s"], results["import_1m_postgresql_s"]
    tenth = NATIONAL // 10
    growth = national.peak_mb / national.memory_at(0.1)
    return [
        Row(
            "import_100k_postgresql_s",
            national.tenth_seconds,
            f"s, the first {tenth:,} of the {NATIONAL:,} import ({tenth / national.tenth_seconds:.0f}/s)",
            None,
            None,
            f"< {TARGET_S:.0f} s",
            national.tenth_seconds < TARGET_S,
        ),
        Row(
            "import_100k_sqlite_s",
            sqlite.seconds,
            f"s for {REFERRALS:,} ({REFERRALS / sqlite.seconds:.0f}/s)",
            None,
            None,
            f"< {TARGET_S:.0f} s",
            sqlite.seconds < TARGET_S,
        ),
        Row(
            "import_1m_postgresql_s",
            national.seconds,
            f"s for {NATIONAL:,} ({NATIONAL / national.seconds:.0f}/s); memory {national.memory_at(0.1):.0f} MB "
            f"a tenth of the way, {national.peak_mb:.0f} MB at most",
            None,
            None,
            f"< {NATIONAL_TARGET_S:.0f} s, memory flat (at most {FLAT}× a tenth of the way's)",
            national.seconds < NATIONAL_TARGET_S and growth <= FLAT,
        ),
    ]
