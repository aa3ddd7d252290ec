"""Referral → webhook benchmark with PostgreSQL, Redis and two Celery workers: latency from the intake commit
to the provider receiving the signed webhook, and delivery throughput under a burst of 1,000. The baselines,
measured in the same run, are a plain HTTP POST of the same body to the same receiver (latency), and signed
POSTs of it from as many concurrent senders as VAL has delivery processes (the burst's rate)."""

from __future__ import annotations

import base64
import concurrent.futures
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from standardwebhooks import Webhook

from bench.memory import largest_rss_mb
from bench.results import Row
from harness.celery_worker import start_worker, stop_worker
from harness.receiver import Receiver
from harness.servers import PostgresServer, RedisServer
from val.db.session import unit_of_work

ROOT = Path(__file__).resolve().parents[1]
LATENCY_SAMPLES = 300
BURST = 1000
BURST_LATENCY_SAMPLES = 100


CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
SENDERS = 2 * CONCURRENCY  # two worker nodes, CONCURRENCY delivery processes each


def _post_signed(url: str, count: int, secret: str, sender: int) -> int:
    """`count` signed POSTs of a webhook-sized body, one after another (one sender of the baseline)."""
    webhook, http = Webhook(secret), requests.Session()
    for n in range(count):
        message_id, now = f"msg_{sender}_{n}", dt.datetime.now(dt.UTC)
        body = json.dumps({"type": "referral.offered", "data": {"assignment_id": f"plain-{sender}-{n}"}})
        headers = {
            "Content-Type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": webhook.sign(message_id, now, body),
        }
        http.post(url, data=body, headers=headers, timeout=5)
    return count


def _concurrent_signed_posts(url: str, total: int) -> float:
    """POSTs a second from SENDERS processes at once (started before the clock, as VAL's workers are)."""
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    with concurrent.futures.ProcessPoolExecutor(SENDERS) as pool:
        list(pool.map(_post_signed, [url] * SENDERS, [1] * SENDERS, [secret] * SENDERS, range(SENDERS)))
        started = time.perf_counter()
        sent = sum(
            pool.map(
                _post_signed,
                [url] * SENDERS,
                [total // SENDERS] * SENDERS,
                [secret] * SENDERS,
                range(SENDERS),
            )
        )
        return sent / (time.perf_counter() - started)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _workers(env: dict[str, str], scratch: Path) -> list[subprocess.Popen]:
    concurrency = CONCURRENCY
    return [
        start_worker(
            scratch / f"worker{n}",
            env=env,
            name=f"bench{n}",
            concurrency=concurrency,
            beat=n == 1,
            loglevel="ERROR",
        )
        for n in (1, 2)
    ]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        stop_worker(process)


def _wait(receiver: Receiver, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.received) < count and time.monotonic() < deadline:
        time.sleep(0.01)


def run() -> dict[str, float]:
    scratch = Path(tempfile.mkdtemp(prefix="val-bench-webhooks-"))
    scratch.chmod(0o755)
    postgres = PostgresServer(scratch / "postgres", durable=True).start()
    redis = RedisServer(scratch / "redis").start()
    receiver = Receiver(check_contract=False).start()
    workers: list[subprocess.Popen] = []
    try:
        env = {
            **os.environ,
            "VAL_DATABASE_URL": postgres.url,
            "VAL_BROKER_URL": redis.url,
            "PYTHONPATH": str(ROOT),
            "VAL_ALLOW_HTTP_WEBHOOKS": "true",
            "VAL_WEBHOOK_HOST_ALLOWLIST": "127.0.0.1",
            "VAL_SECRET_KEY": Fernet.generate_key().decode(),
            "VAL_LOG_LEVEL": "ERROR",
            "VAL_WEBHOOK_SWEEP_SECONDS": "1",
        }
        os.environ.update(
            {
                k: env[k]
                for k in (
                    "VAL_DATABASE_URL",
                    "VAL_BROKER_URL",
                    "VAL_ALLOW_HTTP_WEBHOOKS",
                    "VAL_WEBHOOK_HOST_ALLOWLIST",
                    "VAL_SECRET_KEY",
                    "VAL_LOG_LEVEL",
                )
            }
        )
        subprocess.run(
            [str(Path(sys.executable).parent / "val"), "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
        )

        from val.auth.roles import Role
        from val.auth.service import system_principal
        from val.db.session import Database
        from val.referrals.schemas import ReferralSchema, configure_policing_areas
        from val.referrals.service import accept_referral
        from val.rulebook import load_rulebook
        from val.settings import load_settings
        from val.webhooks.destinations import DestinationPolicy
        from val.webhooks.endpoints import set_endpoint
        from val.webhooks.secret_box import box_for

        settings = load_settings()
        configure_policing_areas(settings.policing_areas)
        rulebook = load_rulebook(settings.config_dir)
        database = Database(postgres.url)
        with unit_of_work(database) as session:
            set_endpoint(
                session,
                "wmwa-idva",
                receiver.url,
                policy=DestinationPolicy(allow_http=True, allow_loopback=True),
                box=box_for(settings),
            )
            principal = system_principal(session, "bench", Role.INTAKE)
            session.commit()
        template = json.loads((ROOT / "tests" / "data" / "domain_example.json").read_text())
        schema = ReferralSchema()

        def submit(reference: str) -> tuple[str, float]:
            body = json.loads(json.dumps(template))
            body["source"]["reference"] = reference
            with unit_of_work(database) as session:
                case = accept_referral(session, principal, schema.load(body), rulebook).case
            return next(str(a.id) for a in case.assignments if a.service == "idva"), time.time()

        # Baseline: the same body POSTed straight to the receiver.
        body = json.dumps({"type": "referral.offered", "data": {"assignment_id": "x"}})
        http = requests.Session()
        started = time.perf_counter()
        baseline_latencies = []
        for _ in range(LATENCY_SAMPLES):
            t0 = time.perf_counter()
            http.post(receiver.url, data=body, headers={"Content-Type": "application/json"}, timeout=5)
            baseline_latencies.append(time.perf_counter() - t0)
        baseline_rate = LATENCY_SAMPLES / (time.perf_counter() - started)
        concurrent_rate = _concurrent_signed_posts(receiver.url, BURST)
        receiver.received.clear()

        workers = _workers(env, scratch)
        time.sleep(4)  # let both workers connect and the listener LISTEN
        submitted: dict[str, float] = {}
        for n in range(LATENCY_SAMPLES):
            assignment_id, at = submit(f"LAT/{n}")
            submitted[assignment_id] = at
            time.sleep(0.02)
        _wait(receiver, LATENCY_SAMPLES, 60)
        latencies = []
        for item in receiver.received:
            data = json.loads(item.body)["data"]
            if data["assignment_id"] in submitted:
                latencies.append(item.at - submitted[data["assignment_id"]])

        # Burst: 1,000 offers committed in one transaction while both workers are up and idle; referrals keep
        # arriving while it drains, and their webhooks' latency is measured too.
        receiver.received.clear()
        from val.providers.models import Provider
        from val.webhooks.outbox import add_delivery

        with unit_of_work(database) as session:
            idva = session.get(Provider, "wmwa-idva")
            for n in range(BURST):
                add_delivery(session, idva, "referral.offered", {"assignment_id": f"burst-{n}"}, None)
            session.commit()
        during: dict[str, float] = {}
        for n in range(BURST_LATENCY_SAMPLES):
            assignment_id, at = submit(f"BURST-LAT/{n}")
            during[assignment_id] = at
            time.sleep(0.02)
        _wait(receiver, BURST + BURST_LATENCY_SAMPLES, 120)
        arrivals, under_burst = [], []
        for item in receiver.received:
            assignment_id = json.loads(item.body)["data"]["assignment_id"]
            if assignment_id.startswith("burst-"):
                arrivals.append(item.at)
            elif assignment_id in during:
                under_burst.append(item.at - during[assignment_id])
        arrivals.sort()
        worker_rss_mb = max(largest_rss_mb(worker.pid) for worker in workers)
        burst_rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0
        database.dispose()
        return {
            "latency_p50_ms": _percentile(latencies, 0.5) * 1000,
            "latency_p99_ms": _percentile(latencies, 0.99) * 1000,
            "latency_samples": len(latencies),
            "burst_latency_p50_ms": _percentile(under_burst, 0.5) * 1000 if under_burst else float("inf"),
            "burst_latency_p99_ms": _percentile(under_burst, 0.99) * 1000 if under_burst else float("inf"),
            "burst_latency_samples": len(under_burst),
            "baseline_latency_p50_ms": _percentile(baseline_latencies, 0.5) * 1000,
            "burst_delivered": len(arrivals),
            "deliveries_per_s": burst_rate,
            "baseline_posts_per_s": baseline_rate,
            "concurrent_posts_per_s": concurrent_rate,
            "celery_worker_rss_mb": worker_rss_mb,
        }
    finally:
        _stop(workers)
        receiver.stop()
        redis.stop()
        postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def report(results: dict[str, float]) -> None:
    print("Webhook benchmark: PostgreSQL (durable), Redis, 2 workers × 2 processes")
    print(
        f"  referral committed → webhook received: p50 {results['latency_p50_ms']:.0f} ms, "
        f"p99 {results['latency_p99_ms']:.0f} ms over {results['latency_samples']} referrals "
        f"(baseline plain POST p50 {results['baseline_latency_p50_ms']:.1f} ms); "
        f"while the burst drains: p50 {results['burst_latency_p50_ms']:.0f} ms, "
        f"p99 {results['burst_latency_p99_ms']:.0f} ms over "
        f"{results['burst_latency_samples']}"
    )
    print(
        f"  burst of {BURST} offers committed at once: {results['burst_delivered']} delivered at "
        f"{results['deliveries_per_s']:.0f}/s; signed POSTs from {SENDERS} concurrent senders "
        f"{results['concurrent_posts_per_s']:.0f}/s (ratio "
        f"{results['deliveries_per_s'] / results['concurrent_posts_per_s']:.2f}); one sender "
        f"{results['baseline_posts_per_s']:.0f}/s"
    )
    print(
        f"  largest Celery worker process after the burst: {results['celery_worker_rss_mb']:.0f} MB resident"
    )
    print("  targets: ratio ≥ 0.6; p99 under 50 ms, quiet and while the burst drains; worker < 250 MB")


def rows(results: dict[str, float]) -> list[Row]:
    burst_ratio = results["deliveries_per_s"] / results["concurrent_posts_per_s"]
    p99 = max(results["latency_p99_ms"], results["burst_latency_p99_ms"])
    rss = results["celery_worker_rss_mb"]
    return [
        Row(
            "webhook_burst_vs_concurrent_post",
            results["deliveries_per_s"],
            "webhooks/s",
            results["concurrent_posts_per_s"],
            burst_ratio,
            "ratio ≥ 0.6",
            burst_ratio >= 0.6,
        ),
        Row("webhook_latency_p99_ms", p99, "ms", None, None, "< 50 ms, quiet and under the burst", p99 < 50),
        Row("celery_worker_rss_mb", rss, "MB", None, None, "< 250 MB", rss < 250),
    ]
