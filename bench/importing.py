"""Import benchmark: `val import` of 100,000 referrals of a police area's mix (fictional people), on SQLite as
`make run` keeps it and on PostgreSQL with durable commits. Target: under 2 minutes each. There is no baseline
to divide by: the target is the time a newcomer with a year's export waits."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.results import Row
from harness.servers import PostgresServer
from val.demo.sample import referral_body

ROOT = Path(__file__).resolve().parents[1]
VAL = str(Path(sys.executable).parent / "val")
REFERRALS = int(os.environ.get("BENCH_IMPORT_REFERRALS", 100_000))
AREAS = ("herefordshire", "north_worcestershire", "south_worcestershire", "shropshire", "telford_and_wrekin")
TARGET_S = 120.0


def _export(path: Path) -> None:
    rng, start = random.Random(2026), dt.datetime(2025, 12, 1, 8, tzinfo=dt.UTC)
    with path.open("w") as out:
        for n in range(REFERRALS):
            # Five minutes apart: most of a year of a busy area's referrals.
            reported = start + dt.timedelta(minutes=5 * n)
            out.write(json.dumps(referral_body(rng, n, reported, AREAS)) + "\n")


def _import(env: dict[str, str], export: Path) -> float:
    subprocess.run([VAL, "db", "upgrade"], env=env, check=True, capture_output=True)
    started = time.monotonic()
    done = subprocess.run([VAL, "import", str(export)], env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode != 0 or f"{REFERRALS} created" not in done.stdout:
        raise RuntimeError(f"val import failed: {done.stdout[-500:]} {done.stderr[-2000:]}")
    return seconds


def run() -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="val-bench-import-"))
    workdir.chmod(0o755)
    export = workdir / "export.ndjson"
    _export(export)
    base = {k: v for k, v in os.environ.items() if k not in ("VAL_DATABASE_URL", "VAL_BROKER_URL")}
    base |= {"VAL_LOG_LEVEL": "WARNING", "VAL_MATCH_KEY": "b" * 64}
    results: dict[str, float] = {}
    try:
        results["import_100k_sqlite_s"] = _import({**base, "VAL_DATA_DIR": str(workdir / "embedded")}, export)
        postgres = PostgresServer(workdir / "postgres", durable=True).start()
        try:
            results["import_100k_postgresql_s"] = _import(
                {**base, "VAL_DATA_DIR": str(workdir / "server"), "VAL_DATABASE_URL": postgres.url}, export
            )
        finally:
            postgres.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def report(results: dict[str, float]) -> None:
    print(f"Import benchmark: val import of {REFERRALS:,} referrals (NDJSON), target under {TARGET_S:.0f} s")
    for name, label in (("import_100k_sqlite_s", "SQLite"), ("import_100k_postgresql_s", "PostgreSQL")):
        seconds = results[name]
        print(f"  {label:<11} {seconds:7.1f} s   {REFERRALS / seconds:6.0f} referrals/s")


def rows(results: dict[str, float]) -> list[Row]:
    return [
        Row(name, results[name], "s", None, None, f"< {TARGET_S:.0f} s", results[name] < TARGET_S)
        for name in ("import_100k_postgresql_s", "import_100k_sqlite_s")
    ]
