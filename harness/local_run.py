"""`make run`: `val run` on the embedded default, with the local GOV.UK Notify (harness/notify.py) standing in for
Notify unless VAL_NOTIFY_API_KEY names a real one, so messages to victims can be tried on a fresh machine and go
nowhere. Ctrl-C stops both."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from val.settings import load_settings


def _local_notify(env: dict[str, str]) -> subprocess.Popen[str]:
    settings = load_settings()
    token = secrets.token_urlsafe(32)
    receipts = f"http://{settings.bind_host}:{settings.port}/api/v1/notify/receipts"
    notify = subprocess.Popen(
        [sys.executable, "-m", "harness.notify", "--callback", receipts, "--token", token],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert notify.stdout is not None
    for _ in range(2):
        name, _, value = notify.stdout.readline().strip().partition("=")
        env[name] = value
    env["VAL_NOTIFY_RECEIPTS_TOKEN"] = token
    print(
        f"Messages to victims go to a local stand-in for GOV.UK Notify at {env['VAL_NOTIFY_BASE_URL']}: nothing "
        "reaches a phone (docs/victims.md says how to try the real one).",
        flush=True,
    )
    return notify


def main() -> int:
    env = dict(os.environ)
    notify = None if env.get("VAL_NOTIFY_API_KEY") else _local_notify(env)
    val = Path(sys.executable).parent / "val"
    run = subprocess.Popen([str(val), "run"], env=env)
    # A SIGTERM to this process (a supervisor, `timeout`) stops `val run` as it would stop on its own.
    signal.signal(signal.SIGTERM, lambda *_: run.send_signal(signal.SIGTERM))
    try:
        while True:
            try:
                return run.wait()
            except (
                KeyboardInterrupt
            ):  # Ctrl-C reaches `val run` too; wait for it to stop everything it started
                continue
    finally:
        if notify is not None:
            notify.terminate()
            notify.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
