"""Embedded-mode webhook benchmark: `val run` on SQLite (no servers), every provider's endpoint a local receiver,
1,000 referrals imported with `val import`; how fast the 2,000 webhooks that follow reach the providers. The
baseline, measured in the same run, is the same receiver taking the same number of plain POSTs from one client.
Target: at least 50 webhooks a second."""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from bench.results import Row
from harness.receiver import Receiver
from harness.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
VAL = str(Path(sys.executable).parent / "val")
REFERRALS = 1_000
PROVIDERS = ("val-core", "val-da-specialist", "wmwa-idva", "marac-coordinator", "wmwa-cyp")


def _plain_posts(url: str, n: int) -> float:
    with requests.Session() as session:
        started = time.monotonic()
        for i in range(n):
            session.post(
                url, data=json.dumps({"n": i}), headers={"Content-Type": "application/json"}, timeout=10
            )
        return n / (time.monotonic() - started)


def run() -> dict[str, float]:
    data = Path(tempfile.mkdtemp(prefix="val-bench-embedded-"))
    env = {**os.environ, "VAL_DATA_DIR": str(data), "VAL_PORT": str(free_port())}
    env.pop("VAL_DATABASE_URL", None)
    env.pop("VAL_BROKER_URL", None)
    service = subprocess.Popen(
        [VAL, "run"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    receiver = Receiver(check_contract=False).start()
    try:
        assert service.stdout is not None
        for line in service.stdout:
            if "Press Ctrl-C" in line:
                break
        for provider in PROVIDERS:
            subprocess.run(
                [VAL, "providers", "set-endpoint", provider, "--url", receiver.url],
                env=env,
                check=True,
                capture_output=True,
            )
        example = json.loads((ROOT / "tests" / "data" / "domain_example.json").read_text())
        lines = []
        for n in range(REFERRALS):
            body = copy.deepcopy(example)
            body["source"]["reference"] = f"BENCH/{n}"
            body["victim"]["family_name"] = f"Bench{n}"
            lines.append(json.dumps(body))
        export = data / "export.ndjson"
        export.write_text("\n".join(lines) + "\n")
        subprocess.run([VAL, "import", str(export)], env=env, check=True, capture_output=True)
        engine = create_engine(f"sqlite:///{data / 'val.sqlite'}")
        with engine.connect() as connection:
            total = connection.execute(text("SELECT count(*) FROM webhook_deliveries")).scalar_one()
        started = time.monotonic()
        delivered = 0
        while delivered < total and time.monotonic() - started < 300:
            time.sleep(0.5)
            with engine.connect() as connection:
                delivered = connection.execute(
                    text("SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'")
                ).scalar_one()
        rate = delivered / (time.monotonic() - started)
        engine.dispose()
        baseline = _plain_posts(receiver.url, 500)
        return {"embedded_webhooks": rate, "baseline": baseline, "delivered": delivered, "total": total}
    finally:
        os.killpg(service.pid, signal.SIGINT)
        service.wait(timeout=60)
        receiver.stop()
        shutil.rmtree(data, ignore_errors=True)


def report(results: dict[str, float]) -> None:
    rate, baseline = results["embedded_webhooks"], results["baseline"]
    print(
        f"Embedded webhooks: {REFERRALS:,} referrals imported on SQLite, {results['delivered']:.0f} of "
        f"{results['total']:.0f} webhooks delivered"
    )
    print(
        f"  {rate:8.1f} webhooks/s   ×{rate / baseline:5.2f} of plain POSTs ({baseline:.0f}/s)   target: ≥ 50/s"
    )


def rows(results: dict[str, float]) -> list[Row]:
    rate, baseline = results["embedded_webhooks"], results["baseline"]
    return [
        Row(
            "embedded_webhooks",
            rate,
            "webhooks/s",
            baseline,
            rate / baseline,
            "≥ 50 webhooks/s",
            rate >= 50 and results["delivered"] == results["total"],
        )
    ]
