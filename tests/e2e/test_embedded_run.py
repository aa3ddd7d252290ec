"""The README's first command: `val run` serves the API, a worker and the beat on SQLite, prints where to
reach them, takes a referral, delivers its webhook, and stops everything on Ctrl-C."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from harness.receiver import Receiver
from harness.servers import free_port, wait_for_http
from tests.browser import chromium
from tests.waiting import wait_until
from val.db.session import Database, unit_of_work
from val.webhooks.models import WebhookDelivery

ROOT = Path(__file__).parents[2]


def _start_val_run(env: dict[str, str], stderr: Any = subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "val"), "run"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
    )


def _set_endpoint(env: dict[str, str], url: str) -> str:
    """`val providers set-endpoint wmwa-idva` as an operator runs it; what it prints (the signing secret)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "val"), "providers", "set-endpoint", "wmwa-idva", "--url", url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _read_until(process: subprocess.Popen, marker: str, timeout: float = 60) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if marker in line:
            return lines
    raise AssertionError(f"{marker!r} never printed: {lines}")


def _raw_http(port: int, request_text: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request_text.encode("latin1"))
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received.decode("latin1")


def test_val_run_serves_the_embedded_service_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "VAL_PORT": str(port),
        "VAL_DATA_DIR": str(tmp_path / "var"),
        "VAL_OUTBOX_RELAY_SECONDS": "0.5",
    }
    env.pop("VAL_DATABASE_URL", None)
    env.pop("VAL_BROKER_URL", None)
    errors = (tmp_path / "stderr.log").open("w")
    process = _start_val_run(env, stderr=errors)
    try:
        printed = _read_until(process, "Press Ctrl-C to stop.")
        assert any(f"http://127.0.0.1:{port}/docs" in line for line in printed)
        if os.geteuid() == 0:
            assert any("Running as root" in line for line in printed), "said once, in one line"
        assert any("credentials create" in line for line in printed)
        intake_key = next(line.split()[-1] for line in printed if "Demo intake key" in line)

        wait_for_http(f"http://127.0.0.1:{port}/health")
        receiver = Receiver().start()
        secret = _set_endpoint(env, receiver.url)
        assert secret.startswith("whsec_") and secret.count("\n") == 1
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs") as docs:
            assert docs.status == 200
        # What gunicorn refuses before VAL sees it is a problem+json too, and does not echo what was sent.
        for status, request_text in (
            (414, f"GET /api/v1/cases?q={'x' * 9000} HTTP/1.1\r\nHost: a\r\n\r\n"),
            (431, f"GET /health HTTP/1.1\r\nHost: a\r\nX-Long: {'y' * 9000}\r\n\r\n"),
            (400, "NOT-HTTP\r\n\r\n"),
        ):
            answer = _raw_http(port, request_text)
            head, _, problem = answer.partition("\r\n\r\n")
            assert head.startswith(f"HTTP/1.1 {status} ") and "application/problem+json" in head, head
            assert json.loads(problem)["status"] == status and "xxx" not in problem and "yyy" not in problem
        # The docs render in a browser with no network beyond this machine: Swagger UI is served by VAL.
        page = chromium("--virtual-time-budget=8000", "--dump-dom", f"http://127.0.0.1:{port}/docs")
        assert "Victim Advice Line" in page.stdout and "/api/v1/referrals" in page.stdout, page.stdout[-1500:]
        assert "referral.offered" in page.stdout, "Swagger UI 5 reads OpenAPI 3.1 and shows the webhooks"
        body = (ROOT / "tests" / "data" / "domain_example.json").read_bytes()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/referrals",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {intake_key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            case = json.load(response)
            assert response.status == 201 and case["triage"]["marac"] is True
        # GET /metrics adds up every gunicorn worker's counts (prometheus_client's multiprocess mode).
        admin_key = subprocess.run(
            [
                str(Path(sys.executable).parent / "val"),
                "credentials",
                "create",
                "--role",
                "admin",
                "--name",
                "ops",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        scrape = urllib.request.Request(
            f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {admin_key}"}
        )
        with urllib.request.urlopen(scrape) as response:
            exposition = response.read().decode()
        assert 'val_intake_referrals_total{channel="api",outcome="created"} 1.0' in exposition
        assert (
            'val_http_request_duration_seconds_count{method="POST",route="/api/v1/referrals"} 1.0'
            in exposition
        )

        # The embedded worker delivers the IDVA's signed webhook.
        arrived = receiver.wait_for(1, timeout=30)[0]
        assert Webhook(secret.strip()).verify(arrived.body, arrived.headers)["type"] == "referral.offered"
        receiver.stop()

        database = Database(f"sqlite:///{tmp_path / 'var' / 'val.sqlite'}")

        def idva_delivery() -> str | None:
            with unit_of_work(database) as session:
                return session.scalar(
                    select(WebhookDelivery.status).where(WebhookDelivery.provider_id == "wmwa-idva")
                )

        try:  # the embedded worker records the delivery it made
            wait_until(lambda: idva_delivery() == "delivered", what="the delivery to be recorded", every=0.3)
        finally:
            database.dispose()
        # The beat keeps its state with the data, never in the working directory.
        assert list((tmp_path / "var").glob("beat-schedule*"))
        assert not list(ROOT.glob("celerybeat-schedule*"))
        # Nothing in the data directory is readable by anyone but VAL's own account.
        data = tmp_path / "var"
        assert (data / "broker.sqlite").exists()
        for path in [data, *data.rglob("*")]:
            assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    # Ctrl-C stopped everything it started: no process it spawned is left.
    leftover = subprocess.run(
        ["pgrep", "-s", str(process.pid)], capture_output=True, text=True
    ).stdout.split()
    assert leftover == []
    for pattern in (str(tmp_path), f"127.0.0.1:{port}"):  # the worker's and gunicorn's command lines
        orphans = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout.split()
        assert orphans == [], pattern
    errors.close()
    said = (tmp_path / "stderr.log").read_text()
    for noise in ("SAWarning", "SecurityWarning", "superuser privileges"):
        assert noise not in said, f"make run prints no {noise}"


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_val_run_switches_to_postgresql_and_redis_by_their_urls(database, redis_server, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "VAL_PORT": str(port),
        "VAL_DATA_DIR": str(tmp_path / "var"),
        "VAL_DATABASE_URL": database.url,
        "VAL_BROKER_URL": redis_server.url,
        "VAL_ALLOW_HTTP_WEBHOOKS": "true",
        "VAL_WEBHOOK_HOST_ALLOWLIST": "127.0.0.1",
    }
    val = str(Path(sys.executable).parent / "val")
    receiver = Receiver().start()
    process = _start_val_run(env)
    try:
        printed = _read_until(process, "Press Ctrl-C to stop.")
        assert any("production (PostgreSQL + Redis)" in line for line in printed)
        assert not any("Demo" in line for line in printed), "no demo keys outside the embedded mode"
        wait_for_http(f"http://127.0.0.1:{port}/health")
        assert _ready_once_checked(port)["checks"] == {
            "database": True,
            "broker": True,
            "signing_secrets": True,
        }

        def cli(*args: str) -> str:
            return subprocess.run(
                [val, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
            ).stdout.strip()

        secret = cli("providers", "set-endpoint", "wmwa-idva", "--url", receiver.url)
        key = cli(
            "credentials",
            "create",
            "--role",
            "intake",
            "--source-system",
            "police-rms",
            "--name",
            "police-rms",
        )
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/referrals",
            method="POST",
            data=(ROOT / "tests" / "data" / "domain_example.json").read_bytes(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            assert response.status == 201
        arrived = receiver.wait_for(1, timeout=30)[0]
        assert Webhook(secret).verify(arrived.body, arrived.headers)["type"] == "referral.offered"
    finally:
        receiver.stop()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_killing_val_run_with_sigkill_stops_everything_it_started_and_a_port_in_use_is_one_line(tmp_path):
    """`kill -9` of `make run`'s process group left gunicorn and Celery running (each leads a session of its
    own), and the next `make run` failed on the port with a traceback."""
    port = free_port()
    data_dir = tmp_path / "var"
    env = {**os.environ, "VAL_PORT": str(port), "VAL_DATA_DIR": str(data_dir)}
    env.pop("VAL_DATABASE_URL", None)
    env.pop("VAL_BROKER_URL", None)
    process = _start_val_run(env)
    try:
        _read_until(process, "Press Ctrl-C to stop.")
        wait_for_http(f"http://127.0.0.1:{port}/health")
        assert _processes_mentioning(str(data_dir)), "the worker and beat run with the data directory"
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # what kill -9 of `make run`'s group does
        process.wait()
    with contextlib.suppress(AssertionError):  # the survivors, if any, are named and killed below
        wait_until(
            lambda: not (_processes_mentioning(str(data_dir)) or _answers(port)),
            what="every process of val run to stop",
            every=0.5,
        )
    survivors = _processes_mentioning(str(data_dir)) + _processes_mentioning(f"127.0.0.1:{port}")
    for pid in survivors:  # never leave them to the next test, whatever this one finds
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert survivors == [], "gunicorn and Celery die with val run"

    with socket.socket() as squatter:
        # The health checks above left connections in TIME_WAIT on the port; a listener may still bind.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        again = subprocess.run(
            [str(Path(sys.executable).parent / "val"), "run"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert again.returncode != 0
    said = again.stderr.strip().splitlines()
    assert len(said) == 1 and f"port {port}" in said[0] and "Traceback" not in again.stderr, again.stderr


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _ready_once_checked(port: int) -> dict:
    """/ready once each background check has answered (a check not yet run reads as false)."""

    def answered() -> dict | None:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready") as ready:
            said = json.load(ready)
        return said if all(age is not None for age in said["checked_seconds_ago"].values()) else None

    return wait_until(answered, what="every readiness check to answer once", every=0.05)
