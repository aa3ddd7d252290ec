"""Real Celery workers for tests and benchmarks: a subprocess on the real broker, in its own process group
so it can be stopped — or killed — with everything it forked."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def start_worker(
    scratch: Path,
    *,
    env: dict[str, str],
    name: str = "worker",
    concurrency: int = 1,
    beat: bool = True,
    loglevel: str = "WARNING",
) -> subprocess.Popen:
    scratch.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.app",
        "worker",
        "--concurrency",
        str(concurrency),
        "--loglevel",
        loglevel,
        "-n",
        f"{name}@%h",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        command += ["--beat", "--schedule", str(scratch / "beat-schedule")]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join((str(ROOT / "src"), str(ROOT))), **env},
        stdout=subprocess.DEVNULL,
        stderr=open(scratch / "worker.log", "w"),  # the child owns it
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """SIGTERM goes to the worker's main process only: a warm shutdown, which lets a running task finish and
    record what it did. Signalling the whole group would kill the pool processes mid-task. SIGKILL (a crash)
    goes to the whole group at once."""
    with contextlib.suppress(ProcessLookupError):
        if sig == signal.SIGKILL:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # anything the worker forked and left behind
