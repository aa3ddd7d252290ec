"""`val run` keeps its children up: one that dies is restarted with backoff, the intake and the deliveries go on,
a person is alerted when one keeps dying, and everything stops when one cannot be kept up."""

from __future__ import annotations

import json
import os
import signal
import sys
import urllib.request
from pathlib import Path

from harness.receiver import Receiver
from harness.servers import free_port, wait_for_http
from tests.e2e.test_embedded_run import ROOT, _read_until, _set_endpoint, _start_val_run
from tests.waiting import wait_until
from val.cli.restarts import RestartPolicy
from val.cli.run import Child, _supervise


def test_a_child_that_keeps_dying_is_restarted_with_an_alert_then_everything_stops(tmp_path):
    starts = tmp_path / "starts"
    dies = [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"]
    stays = [sys.executable, "-c", "import time; time.sleep(60)"]
    children = [Child("worker", dies), Child("api", stays)]
    for child in children:
        child.start(dict(os.environ))
    alerts: list[tuple[str, int]] = []
    policy = RestartPolicy(delays=(0.01, 0.02), steady_after=60, alert_at=2, give_up_after=3)
    gave_up = _supervise(children, dict(os.environ), policy, alert=lambda *a: alerts.append(a))
    assert gave_up == "worker"
    assert len(starts.read_text()) == 4, "started, then restarted three times"
    assert alerts == [("worker", 2)], "one alert, at the second restart in a row"
    assert children[1].process is not None and children[1].process.poll() is not None, (
        "the others stopped too"
    )


def _children(pid: int) -> dict[str, int]:
    """`val run`'s own children by what they are: the API's gunicorn master, the Celery worker."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found["api" if "gunicorn" in command else "worker" if "celery" in command else command] = int(
                entry.name
            )
    return found


def _refer(port: int, key: str, reference: str) -> int:
    body = json.loads((ROOT / "tests" / "data" / "domain_example.json").read_text())
    body["source"]["reference"] = reference
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/referrals",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_val_run_restarts_the_api_and_the_worker_when_they_die(tmp_path):
    port = free_port()
    env = {**os.environ, "VAL_PORT": str(port), "VAL_DATA_DIR": str(tmp_path / "var")}
    env.pop("VAL_DATABASE_URL", None)
    env.pop("VAL_BROKER_URL", None)
    process = _start_val_run(env)
    receiver = Receiver().start()
    try:
        printed = _read_until(process, "Press Ctrl-C to stop.")
        key = next(line.split()[-1] for line in printed if "Demo intake key" in line)
        wait_for_http(f"http://127.0.0.1:{port}/health")
        _set_endpoint(env, receiver.url)
        first = wait_until(
            lambda: len(_children(process.pid)) == 2 and _children(process.pid), what="both children"
        )

        os.kill(first["api"], signal.SIGKILL)  # the API's master dies
        restarted = wait_until(
            lambda: (now := _children(process.pid)).get("api") not in (None, first["api"]) and now,
            what="a new API master",
        )
        wait_for_http(f"http://127.0.0.1:{port}/health")
        assert _refer(port, key, "SUP/1") == 201, "intake goes on"
        receiver.wait_for(1, timeout=60)

        os.kill(restarted["worker"], signal.SIGKILL)  # the worker (and the beat in it) dies
        wait_until(
            lambda: _children(process.pid).get("worker") not in (None, restarted["worker"]),
            what="a new worker",
        )
        assert _refer(port, key, "SUP/2") == 201
        delivered = receiver.wait_for(2, timeout=60)
        assert len(delivered) >= 2, "the new worker delivers the webhook of the referral taken after the kill"
        assert process.poll() is None, "val run itself kept running"
    finally:
        receiver.stop()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode == 0
