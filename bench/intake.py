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

from bench.memory import largest_rss_mb
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
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = int(errors.group(1)) if errors else 0
    if socket_errors:
        print(f"  ({name}: {socket_errors.group(0)})")
        failed += sum(int(n) for n in socket_errors.groups())  # a request that timed out is a failure too
    return Result(name, rps, p50, p99, failed)


def _gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    return start_gunicorn(app, port, env, workers=WEB_WORKERS)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _wrk(
    name: str, url: str, env: dict[str, str], script: str = "intake.lua", connections: int = CONNECTIONS
) -> Result:
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
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


@dataclass
class Measured:
    lean: Result
    lean_pipelined: Result
    floor: Result
    intake: Result
    keyed: Result
    curve: list[Result]  # intake held at shares of its peak rate
    api_worker_rss_mb: float


CURVE_SHARES = (0.3, 0.5, 0.7, 0.9)


def _delay_for(share: float, peak: Result, unloaded: Result) -> float:
    """The wait between one connection's requests that holds the load near `share` of the peak rate: each
    connection's period, less the time an answer takes when the service is not busy."""
    per_connection_s = CONNECTIONS / (share * peak.requests_per_s)
    return max(0.0, per_connection_s * 1000 - unloaded.p50_ms)


def run() -> Measured:
    workdir = Path(tempfile.mkdtemp(prefix="val-bench-"))
    workdir.chmod(0o755)
    # Durable commits (fsync on), as in production.
    postgres = PostgresServer(workdir / "postgres", durable=True).start()
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
        memory: list[float] = []

        def measure(
            name: str, app: str, extra: dict[str, str], runs: list[dict[str, str]] | None = None
        ) -> list[Result]:
            port = free_port()
            run_env = {**env, **extra}
            server = _gunicorn(app, port, run_env)
            try:
                if app == "wsgi:app":
                    wait_for_http(f"http://127.0.0.1:{port}/health", timeout=30)
                else:
                    time.sleep(2)
                found = []
                for each in runs or [{}]:
                    label = each.pop("label", name)
                    each_env = {**run_env, **each, "BENCH_RUN": f"{label.split()[0]}-{time.time_ns()}"}
                    connections = int(each_env.get("BENCH_CONNECTIONS", CONNECTIONS))
                    url = f"http://127.0.0.1:{port}/api/v1/referrals"
                    found.append(_wrk(label, url, each_env, connections=connections))
                if app == "wsgi:app":
                    memory.append(largest_rss_mb(server.pid))
                return found
            finally:
                _stop(server)

        lean_dsn = {"LEAN_DSN": postgres.url.replace("postgresql+psycopg://", "postgresql://")}
        [lean] = measure("lean baseline (plain SQL)", "bench.lean_app:app", lean_dsn)
        [pipelined] = measure(
            "lean floor, pipelined", "bench.lean_app:app", {**lean_dsn, "LEAN_PIPELINE": "1"}
        )
        [floor] = measure("stack floor (Flask, marshmallow, Core)", "bench.stack_floor_app:app", {})
        for baseline in (lean, pipelined, floor):  # a baseline that answers errors is fast at failing
            if baseline.errors:
                raise RuntimeError(f"{baseline.name} answered {baseline.errors} requests with an error")
        [intake] = measure("intake POST /api/v1/referrals", "wsgi:app", {})
        [unloaded] = measure("intake, one connection", "wsgi:app", {"BENCH_CONNECTIONS": "1"})
        curve = measure(
            "intake",
            "wsgi:app",
            {},
            [
                {
                    "label": f"intake held at {share:.0%} of peak",
                    "BENCH_DELAY_MS": f"{_delay_for(share, intake, unloaded):.1f}",
                }
                for share in CURVE_SHARES
            ],
        )
        [keyed] = measure("intake with Idempotency-Key", "wsgi:app", {"BENCH_IDEMPOTENCY": "1"})
    finally:
        postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return Measured(lean, pipelined, floor, intake, keyed, curve, max(memory))


def report(m: Measured) -> None:
    print(
        f"Intake benchmark: {DURATION_S} s per run, {CONNECTIONS} connections, gunicorn {WEB_WORKERS} sync "
        f"workers, PostgreSQL with durable commits"
    )
    for result in (m.lean, m.lean_pipelined, m.floor, m.intake, m.keyed):
        print("  " + result.line())
    print("  the rate/latency curve (each connection waits between requests):")
    for point in [*m.curve, m.intake]:
        print("    " + point.line())
    print(
        f"  intake ÷ stack floor {m.intake.requests_per_s / m.floor.requests_per_s:.2f} (target ≥ 0.75); "
        f"with Idempotency-Key {m.keyed.requests_per_s / m.floor.requests_per_s:.2f} (≥ 0.65); "
        f"intake ÷ lean floor pipelined {m.intake.requests_per_s / m.lean_pipelined.requests_per_s:.2f}; "
        f"stack floor ÷ lean pipelined {m.floor.requests_per_s / m.lean_pipelined.requests_per_s:.2f}"
    )
    print(f"  largest API worker after the runs: {m.api_worker_rss_mb:.0f} MB resident (target < 200 MB)")


def at_70_percent(m: Measured) -> Result:
    return m.curve[CURVE_SHARES.index(0.7)]


def rows(m: Measured) -> list[Row]:
    floor, pipelined = m.floor.requests_per_s, m.lean_pipelined.requests_per_s
    clean = m.intake.errors == 0 and m.keyed.errors == 0
    held = at_70_percent(m)
    return [
        Row(
            "intake_vs_stack_floor",
            m.intake.requests_per_s,
            f"referrals/s (p99 {m.intake.p99_ms:.0f} ms at the peak)",
            floor,
            m.intake.requests_per_s / floor,
            "ratio ≥ 0.75",
            m.intake.requests_per_s / floor >= 0.75 and clean,
        ),
        Row(
            "intake_vs_lean_pipelined",
            m.intake.requests_per_s,
            "referrals/s",
            pipelined,
            m.intake.requests_per_s / pipelined,
            "reported (the true floor of writing the rows)",
            clean,
        ),
        Row(
            "intake_idempotent_vs_stack_floor",
            m.keyed.requests_per_s,
            f"referrals/s (p99 {m.keyed.p99_ms:.0f} ms)",
            floor,
            m.keyed.requests_per_s / floor,
            "ratio ≥ 0.65",
            m.keyed.requests_per_s / floor >= 0.65 and clean,
        ),
        Row(
            "intake_p99_ms_at_70pct",
            held.p99_ms,
            f"ms at {held.requests_per_s:.0f} referrals/s",
            None,
            None,
            "< 60 ms",
            held.p99_ms < 60 and held.errors == 0,
        ),
        Row(
            "api_worker_rss_mb", m.api_worker_rss_mb, "MB", None, None, "< 200 MB", m.api_worker_rss_mb < 200
        ),
    ]
