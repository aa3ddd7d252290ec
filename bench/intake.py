"""Intake benchmark: POST /api/v1/referrals under gunicorn + PostgreSQL, against the lean baseline
(bench/lean_app.py) measured in the same run under the same gunicorn settings. The stack's floor
(bench/stack_floor_app.py: the lean work through Flask, marshmallow and SQLAlchemy) is measured and printed
too, to show how much of the gap is the fixed stack's and how much VAL's own."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.results import Row
from harness.servers import PostgresServer, free_port, start_gunicorn, wait_for_http

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DURATION_S = 10
CONNECTIONS = 16
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))


@dataclass
class Result:
    name: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int

    def line(self) -> str:
        return (
            f"{self.name:<34} {self.requests_per_s:8.0f} req/s   p50 {self.p50_ms:6.1f} ms   "
            f"p99 {self.p99_ms:6.1f} ms   non-2xx {self.errors}"
        )


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _parse_wrk(name: str, output: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: .*", output)
    if socket_errors:
        print(f"  ({name}: {socket_errors.group(0)})")
    return Result(name, rps, p50, p99, int(errors.group(1)) if errors else 0)


def _gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    return start_gunicorn(app, port, env, workers=WEB_WORKERS)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _wrk(name: str, url: str, env: dict[str, str], script: str = "intake.lua") -> Result:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION_S}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / script),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return _parse_wrk(name, output)


def _body_template(workdir: Path) -> Path:
    body = json.loads((ROOT / "tests" / "data" / "domain_example.json").read_text())
    body["source"]["reference"] = "__REFERENCE__"
    body["victim"]["family_name"] = "__FAMILY__"
    path = workdir / "body.json"
    path.write_text(json.dumps(body))
    return path


def run() -> list[Result]:
    workdir = Path(tempfile.mkdtemp(prefix="val-bench-"))
    workdir.chmod(0o755)
    # Durable commits (fsync on), as in production.
    postgres = PostgresServer(workdir / "postgres", durable=True).start()
    results: list[Result] = []
    try:
        env = {
            **os.environ,
            "VAL_DATABASE_URL": postgres.url,
            "VAL_LOG_LEVEL": "WARNING",
            # As in production: intake looks up the victim's earlier cases.
            "VAL_MATCH_KEY": "b" * 64,
            "PYTHONPATH": str(ROOT),
            "BENCH_BODY": str(_body_template(workdir)),
        }
        subprocess.run([str(BIN / "val"), "db", "upgrade"], env=env, check=True, capture_output=True)
        key = subprocess.run(
            [
                str(BIN / "val"),
                "credentials",
                "create",
                "--role",
                "intake",
                "--source-system",
                "police-rms",
                "--name",
                "bench",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        env["BENCH_KEY"] = key

        def measure(name: str, app: str, extra: dict[str, str]) -> Result:
            port = free_port()
            run_env = {**env, **extra, "BENCH_RUN": f"{name.split()[0]}-{time.time_ns()}"}
            server = _gunicorn(app, port, run_env)
            try:
                wait_for_http(
                    f"http://127.0.0.1:{port}/health" if app == "wsgi:app" else f"http://127.0.0.1:{port}/",
                    timeout=30,
                ) if app == "wsgi:app" else time.sleep(2)
                return _wrk(name, f"http://127.0.0.1:{port}/api/v1/referrals", run_env)
            finally:
                _stop(server)

        lean_env = {"LEAN_DSN": postgres.url.replace("postgresql+psycopg://", "postgresql://")}
        results.append(measure("lean baseline (plain SQL)", "bench.lean_app:app", lean_env))
        results.append(measure("stack floor (Flask, marshmallow, Core)", "bench.stack_floor_app:app", {}))
        for baseline in results:  # a baseline that answers errors is fast at failing, and measures nothing
            if baseline.errors:
                raise RuntimeError(f"{baseline.name} answered {baseline.errors} requests with an error")
        results.append(measure("intake POST /api/v1/referrals", "wsgi:app", {}))
        results.append(measure("intake with Idempotency-Key", "wsgi:app", {"BENCH_IDEMPOTENCY": "1"}))
    finally:
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def report(results: list[Result]) -> None:
    lean, floor, intake, keyed = results
    print(
        f"Intake benchmark: {DURATION_S} s per run, {CONNECTIONS} connections, gunicorn {WEB_WORKERS} sync "
        f"workers, PostgreSQL with durable commits"
    )
    for result in results:
        print("  " + result.line())
    print(
        f"  intake ÷ lean baseline: {intake.requests_per_s / lean.requests_per_s:.2f}   "
        f"(with Idempotency-Key: {keyed.requests_per_s / lean.requests_per_s:.2f})"
    )
    print(
        f"  stack floor ÷ lean baseline: {floor.requests_per_s / lean.requests_per_s:.2f}   "
        f"intake ÷ stack floor: {intake.requests_per_s / floor.requests_per_s:.2f}"
    )
    print("  targets: ratio ≥ 0.6 with p99 < 60 ms; with Idempotency-Key, ratio ≥ 0.5")


def rows(results: list[Result]) -> list[Row]:
    lean, floor, intake, keyed = results
    ratio, keyed_ratio = (
        intake.requests_per_s / lean.requests_per_s,
        keyed.requests_per_s / lean.requests_per_s,
    )
    return [
        Row(
            "intake",
            intake.requests_per_s,
            f"referrals/s (p99 {intake.p99_ms:.0f} ms)",
            lean.requests_per_s,
            ratio,
            "ratio ≥ 0.6 and p99 < 60 ms",
            ratio >= 0.6 and intake.p99_ms < 60 and intake.errors == 0,
        ),
        Row(
            "intake_idempotent",
            keyed.requests_per_s,
            f"referrals/s (p99 {keyed.p99_ms:.0f} ms)",
            lean.requests_per_s,
            keyed_ratio,
            "ratio ≥ 0.5",
            keyed_ratio >= 0.5 and keyed.errors == 0,
        ),
    ]
