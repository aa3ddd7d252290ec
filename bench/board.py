"""Board summary benchmark: GET /api/v1/board/compliance-summary over 10,000,000 compliance points (a year of
a large force, and more) on PostgreSQL, against a baseline measured in the same run: one plain-SQL count of
the same points by status. The points are inserted through the real schema, so the triggers keep the Board's
counts as they would in production, and the counts are then compacted as the beat does every 10 minutes."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench.results import Row
from harness.servers import PostgresServer

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
POINTS = 10_000_000
CASES = 500_000
RUNS = 5
QUERIES = [
    "group_by=right",
    "group_by=code",
    "group_by=agency,enhanced",
    "group_by=crime_type,policing_area",
    "group_by=code,crime_type",  # the most rows two groupings give (docs/compliance.md allows no more than two)
]

GENERATE = f"""
INSERT INTO cases (id, status, source_system, source_reference, duplicate_key, submitted_by, reported_at,
                   received_at, policing_area, consent_support_referral)
SELECT lpad(to_hex(n), 32, '0')::uuid, 'triaged', 'bench', 'B/' || n, md5('dup' || n), md5('cred')::uuid,
       timestamptz '2026-01-01' + (n % 365) * interval '1 day', now(),
       (ARRAY['herefordshire','north_worcestershire','south_worcestershire','shropshire','telford_and_wrekin'])[1 + n % 5],
       'given'
FROM generate_series(1, {CASES}) AS n;

INSERT INTO compliance_points (id, case_id, code, "right", agency, trigger_event, triggered_at, trigger_date, due_on,
                               status, enhanced, policing_area, age_band, crime_type, updated_at)
SELECT lpad(to_hex(n), 32, '0')::uuid, lpad(to_hex(1 + n % {CASES}), 32, '0')::uuid,
       (ARRAY['R3_WRITTEN_CONFIRMATION','R4_REFERRAL_TO_SUPPORT','R6_ARREST_UPDATE','R8_HEARING_DETAILS',
              'R9_OUTCOME_AND_SENTENCE','LS_FIRST_CONTACT'])[1 + n % 6],
       (ARRAY[3, 4, 6, 8, 9, NULL])[1 + n % 6],
       (ARRAY['police','police','police','witness_care','witness_care','val'])[1 + n % 6],
       'crime_reported', timestamptz '2026-01-01' + (n % 365) * interval '1 day',
       date '2026-01-01' + (n % 365), date '2026-01-03' + (n % 365),
       (ARRAY['met','met','met','met_late','missed','pending','not_applicable'])[1 + (n::bigint * 7919) % 7],
       (n % 3) <> 0,
       (ARRAY['herefordshire','north_worcestershire','south_worcestershire','shropshire','telford_and_wrekin'])[1 + n % 5],
       (ARRAY['under_18','18_plus','18_plus','18_plus'])[1 + (n / 7) % 4],
       (ARRAY['domestic_abuse','sexual_violence','hate_crime','other','other'])[1 + (n / 3) % 5],
       now()
FROM generate_series(1, {POINTS}) AS n;
ANALYZE;
"""


def _time(fn) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run() -> list[tuple[str, float]]:
    workdir = Path(tempfile.mkdtemp(prefix="val-bench-board-"))
    workdir.chmod(0o755)
    postgres = PostgresServer(workdir / "postgres").start()
    try:
        import os

        env = {**os.environ, "VAL_DATABASE_URL": postgres.url, "PYTHONPATH": str(ROOT)}
        subprocess.run([str(BIN / "val"), "db", "upgrade"], env=env, check=True, capture_output=True)
        key = subprocess.run(
            [str(BIN / "val"), "credentials", "create", "--role", "board", "--name", "board-bench"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        dsn = postgres.url.replace("postgresql+psycopg://", "postgresql://")
        started = time.perf_counter()
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(GENERATE)
        generated = time.perf_counter() - started
        from val.compliance.store import compact_counts
        from val.db.session import Database, unit_of_work

        started, database = time.perf_counter(), Database(postgres.url)
        with unit_of_work(database) as session:
            rows = compact_counts(session)
        database.dispose()
        print(
            f"  (generated {POINTS:,} points over {CASES:,} cases in {generated:.0f} s; their counts compacted "
            f"to {rows:,} rows in {time.perf_counter() - started:.0f} s)"
        )

        with psycopg.connect(dsn) as connection:
            baseline = _time(
                lambda: connection.execute(
                    "SELECT status, count(*) FROM compliance_points "
                    "WHERE trigger_date BETWEEN '2026-01-01' AND '2026-12-31' GROUP BY status"
                ).fetchall()
            )

        from val.app import create_app

        app = create_app(overrides={"database_url": postgres.url, "log_level": "WARNING"})
        client = app.test_client()
        results = [("baseline: plain SQL count by status", baseline)]
        for query in QUERIES:
            url = f"/api/v1/board/compliance-summary?from=2026-01-01&to=2026-12-31&{query}"

            def call(url=url) -> None:
                response = client.get(url, headers={"Authorization": f"Bearer {key}"})
                assert response.status_code == 200, response.get_data(as_text=True)[:500]

            results.append((f"summary {query}", _time(call)))
        app.extensions["val"].db.dispose()
        return results
    finally:
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def report(results: list[tuple[str, float]]) -> None:
    print(f"Board summary benchmark: {POINTS:,} compliance points on PostgreSQL, median of {RUNS} runs")
    baseline = results[0][1]
    for name, seconds in results:
        print(f"  {name:<80} {seconds * 1000:8.1f} ms   ×{seconds / baseline:5.2f} of baseline")
    worst = max(seconds for _, seconds in results[1:])
    print(f"  slowest summary: {worst * 1000:.0f} ms (target: under 200 ms)")


def rows(results: list[tuple[str, float]]) -> list[Row]:
    baseline = results[0][1] * 1000
    worst = max(seconds for _, seconds in results[1:]) * 1000
    return [Row("board_10m_slowest_ms", worst, "ms", baseline, worst / baseline, "< 200 ms", worst < 200)]
