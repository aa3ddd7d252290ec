"""The README's commands, run as written against `val run` (embedded), so they never go stale: the
coordinator's day, the report commands and the routing what-if."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from harness.servers import free_port, wait_for_http
from tests.conftest import now_iso
from tests.e2e.test_embedded_run import ROOT, _read_until, _start_val_run
from tests.waiting import wait_until

README = (ROOT / "README.md").read_text()
VAL = str(Path(sys.executable).parent / "val")


def _block_after(heading: str) -> str:
    """The first ```sh block after a heading."""
    after = README[README.index(heading) :]
    return re.search(r"```sh\n(.*?)```", after, re.S).group(1)


def _lines_starting(*starts: str) -> str:
    return "\n".join(line for line in README.splitlines() if line.startswith(starts)).replace(
        ".venv/bin/val", VAL
    )


def _bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    # Every curl fails on an HTTP error, so a step that stopped working fails the test.
    prelude = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n'
    return subprocess.run(
        ["bash", "-c", prelude + script], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_readme_commands_work_as_written_today(tmp_path):
    port, data_dir = free_port(), tmp_path / "var"
    env = {**os.environ, "VAL_PORT": str(port), "VAL_DATA_DIR": str(data_dir)}
    env.pop("VAL_DATABASE_URL", None)
    env.pop("VAL_BROKER_URL", None)
    demo = _bash(_lines_starting(".venv/bin/val demo"), env, tmp_path)
    assert demo.returncode == 0 and "sample referrals" in demo.stdout, demo.stderr[-2000:]
    process = _start_val_run(env)
    try:
        printed = _read_until(process, "Press Ctrl-C to stop.")
        keys = dict(re.findall(r"Demo (\w+) key \(shown once\): (\S+)", "\n".join(printed)))
        wait_for_http(f"http://127.0.0.1:{port}/health")
        api = f"http://127.0.0.1:{port}/api/v1"
        example = json.loads((ROOT / "tests" / "data" / "domain_example.json").read_text())
        example["reported_at"] = example["consent"]["recorded_at"] = now_iso(30)
        example["offence"]["occurred_at"] = now_iso(90)
        request = urllib.request.Request(
            f"{api}/referrals",
            data=json.dumps(example).encode(),
            headers={"Authorization": f"Bearer {keys['intake']}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
        # The README dates its calls with `date -u +%FT%TZ`, to the second: let that second pass, or a call
        # in the same second as the referral is dated before VAL received it (a person never types that fast).
        received_in = int(time.time())
        wait_until(lambda: int(time.time()) > received_in, what="the next second", every=0.05, timeout=2)

        day = _bash(
            _block_after("## A coordinator's day"), {**env, "KEY": keys["coordinator"], "API": api}, tmp_path
        )
        assert day.returncode == 0, f"{day.stdout[-2000:]}\n{day.stderr[-2000:]}"
        timeline = json.loads(day.stdout.strip().splitlines()[-1])
        assert {"contact_attempt", "note", "contact_changed", "closed"} <= {
            i["kind"] for i in timeline["items"]
        }
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)

    (tmp_path / "config").symlink_to(ROOT / "config")
    reports = _bash(
        _lines_starting(
            "FROM=$(date", ".venv/bin/val report ", "sed 's/policing_areas", ".venv/bin/val simulate "
        ),
        {**env, "VAL_DATA_DIR": str(data_dir)},
        tmp_path,
    )
    assert reports.returncode == 0, f"{reports.stdout[-2000:]}\n{reports.stderr[-2000:]}"
    for page in ("compliance.html", "return.html"):
        assert (tmp_path / "reports" / page).read_text().startswith("<!doctype html>")
    assert "idva" in reports.stdout, "the what-if counted this month's referral"
