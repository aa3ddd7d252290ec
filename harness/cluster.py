"""`make cluster`: VAL on several nodes against one PostgreSQL and one Redis, on this machine.

Two runs of the same 60 s mixed load (police systems submitting referrals with Idempotency-Keys, coordinators
reading their work queue and cases, a provider reading and accepting its offers):

- single node: one API process group (gunicorn, 2 workers), one Celery worker node with the beat;
- cluster: two API process groups on two ports (the load alternates between them, as a load balancer would),
  two Celery worker nodes, and a beat on each node: the second beat is the mistake a rota makes, started on
  purpose to show that it does no double work.

Then it waits for every webhook to be delivered and counts, from the database and from what the providers'
endpoint received: referrals acknowledged but lost, referrals recorded twice, webhooks never received, and
webhooks received twice. Both must be 0. Throughput is printed against the single-node run; on one machine
the nodes share its cores, so the cluster shows correctness under concurrency more than speed.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from harness.celery_worker import start_worker, stop_worker
from harness.receiver import Receiver
from harness.servers import PostgresServer, RedisServer, free_port, start_gunicorn, wait_for_http

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECONDS = float(os.environ.get("CLUSTER_SECONDS", "60"))
INTAKE_CLIENTS, COORDINATOR_CLIENTS, PROVIDER_CLIENTS = 6, 3, 1
PROVIDERS = ("val-core", "val-da-specialist", "wmwa-idva", "marac-coordinator", "wmwa-cyp")
EXAMPLE = json.loads((ROOT / "tests" / "data" / "domain_example.json").read_text())


@dataclass
class Tally:
    """What the clients saw."""

    requests: collections.Counter[str] = field(default_factory=collections.Counter)
    server_errors: int = 0
    acknowledged: set[str] = field(default_factory=set)  # source references answered 201 (or replayed)
    unanswered: set[str] = field(default_factory=set)  # no 2xx after every retry
    accepted: collections.Counter[str] = field(default_factory=collections.Counter)  # assignment → 200s
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, kind: str, status: int) -> None:
        with self.lock:
            self.requests[kind] += 1
            if status >= 500:
                self.server_errors += 1


@dataclass
class Figures:
    name: str
    seconds: float
    tally: Tally
    webhooks_delivered: int
    drain_seconds: float
    lost_referrals: int
    doubled_referrals: int
    lost_webhooks: int
    doubled_webhooks: int
    doubled_accepts: int

    @property
    def requests_per_s(self) -> float:
        return sum(self.tally.requests.values()) / self.seconds

    def rate(self, kind: str) -> float:
        return self.tally.requests[kind] / self.seconds


def _intake(urls: list[str], key: str, run: str, client: int, stop: threading.Event, tally: Tally) -> None:
    http, rotation = requests.Session(), itertools.cycle(urls)
    for n in itertools.count():
        if stop.is_set():
            return
        reference = f"{run}/{client}/{n}"
        body = json.loads(json.dumps(EXAMPLE))
        body["source"]["reference"] = reference
        body["victim"]["family_name"] = "Cluster" + "".join(chr(97 + int(d)) for d in f"{client}{n:07d}")
        for _attempt in range(10):  # a client retries with the same key until it has an answer
            try:
                response = http.post(
                    f"{next(rotation)}/api/v1/referrals",
                    json=body,
                    headers={"Authorization": f"Bearer {key}", "Idempotency-Key": reference},
                    timeout=30,
                )
            except requests.RequestException:
                continue
            tally.count("intake", response.status_code)
            if response.status_code in (200, 201):
                with tally.lock:
                    tally.acknowledged.add(reference)
                break
            time.sleep(0.2)
        else:
            with tally.lock:
                tally.unanswered.add(reference)


def _coordinator(urls: list[str], key: str, stop: threading.Event, tally: Tally) -> None:
    http, rotation, headers = requests.Session(), itertools.cycle(urls), {"Authorization": f"Bearer {key}"}
    while not stop.is_set():
        queue = http.get(f"{next(rotation)}/api/v1/cases?sort=priority&limit=50", headers=headers, timeout=30)
        tally.count("casework", queue.status_code)
        items = queue.json().get("items", []) if queue.status_code == 200 else []
        if items:
            case = http.get(
                f"{next(rotation)}/api/v1/cases/{random.choice(items)['id']}", headers=headers, timeout=30
            )
            tally.count("casework", case.status_code)


def _provider(urls: list[str], key: str, stop: threading.Event, tally: Tally) -> None:
    http, rotation, headers = requests.Session(), itertools.cycle(urls), {"Authorization": f"Bearer {key}"}
    while not stop.is_set():
        offers = http.get(
            f"{next(rotation)}/api/v1/provider/referrals?status=offered&limit=20", headers=headers, timeout=30
        )
        tally.count("provider", offers.status_code)
        for item in offers.json().get("items", [])[:5] if offers.status_code == 200 else []:
            answer = http.post(
                f"{next(rotation)}/api/v1/provider/referrals/{item['assignment_id']}/accept",
                headers=headers,
                timeout=30,
            )
            tally.count("provider", answer.status_code)
            if answer.status_code == 200:
                with tally.lock:
                    tally.accepted[item["assignment_id"]] += 1
        time.sleep(0.2)


def _val(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [str(BIN / "val"), *args], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def _one_run(name: str, api_groups: int, worker_nodes: int, beats: int, scratch: Path) -> Figures:
    base = scratch / name.replace(" ", "-")
    base.mkdir(parents=True)
    base.chmod(0o755)
    postgres = PostgresServer(base / "postgres", durable=True).start()
    redis = RedisServer(base / "redis").start()
    receiver = Receiver().start()
    processes: list[subprocess.Popen] = []
    workers: list[subprocess.Popen] = []
    try:
        env = {
            **os.environ,
            "VAL_DATABASE_URL": postgres.url,
            "VAL_BROKER_URL": redis.url,
            "VAL_DATA_DIR": str(base / "data"),
            "VAL_SECRET_KEY": Fernet.generate_key().decode(),
            "VAL_MATCH_KEY": "c" * 64,
            "VAL_ALLOW_HTTP_WEBHOOKS": "true",
            "VAL_WEBHOOK_HOST_ALLOWLIST": "127.0.0.1",
            "VAL_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join((str(ROOT / "src"), str(ROOT))),
        }
        _val(env, "db", "upgrade")
        keys = {
            role: _val(env, "credentials", "create", "--role", role, "--name", f"cluster-{role}", *extra)
            for role, extra in (
                ("intake", ("--source-system", "police-rms")),
                ("coordinator", ()),
                ("provider", ("--provider", "wmwa-idva")),
            )
        }
        for provider in PROVIDERS:
            _val(env, "providers", "set-endpoint", provider, "--url", receiver.url)
        ports = [free_port() for _ in range(api_groups)]
        for n, port in enumerate(ports):
            processes.append(
                start_gunicorn(
                    "val.app:create_app()",
                    port,
                    env,
                    log=base / f"api{n}.log",
                )
            )
        for n in range(worker_nodes):
            workers.append(
                start_worker(
                    base / f"node{n}",
                    env=env,
                    name=f"node{n}",
                    concurrency=2,
                    beat=n < beats,
                    loglevel="WARNING",
                )
            )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            wait_for_http(f"{url}/health", timeout=60)
        time.sleep(3)  # the workers connect to the broker

        tally, stop = Tally(), threading.Event()
        clients = [
            threading.Thread(target=_intake, args=(urls, keys["intake"], name, n, stop, tally))
            for n in range(INTAKE_CLIENTS)
        ]
        clients += [
            threading.Thread(target=_coordinator, args=(urls, keys["coordinator"], stop, tally))
            for _ in range(COORDINATOR_CLIENTS)
        ]
        clients += [
            threading.Thread(target=_provider, args=(urls, keys["provider"], stop, tally))
            for _ in range(PROVIDER_CLIENTS)
        ]
        started = time.monotonic()
        for client in clients:
            client.start()
        time.sleep(SECONDS)
        stop.set()
        for client in clients:
            client.join()
        seconds = time.monotonic() - started

        engine = create_engine(postgres.url)
        drain_started = time.monotonic()
        with engine.connect() as connection:
            while time.monotonic() - drain_started < 180:
                pending = connection.execute(
                    text("SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'")
                ).scalar_one()
                connection.commit()
                if not pending:
                    break
                time.sleep(0.5)
            drain_seconds = time.monotonic() - drain_started
            time.sleep(2)  # anything still in flight (a second copy) has time to arrive
            recorded = collections.Counter(
                reference
                for (reference,) in connection.execute(
                    text("SELECT source_reference FROM cases WHERE source_system IS NOT NULL")
                )
            )
            message_ids = {
                m for (m,) in connection.execute(text("SELECT message_id FROM webhook_deliveries"))
            }
        engine.dispose()
        received = collections.Counter(item.headers.get("webhook-id") for item in receiver.received)
        return Figures(
            name=name,
            seconds=seconds,
            tally=tally,
            webhooks_delivered=sum(received.values()),
            drain_seconds=drain_seconds,
            lost_referrals=len(tally.acknowledged - set(recorded)),
            doubled_referrals=sum(1 for count in recorded.values() if count > 1),
            lost_webhooks=len(message_ids - set(received)),
            doubled_webhooks=sum(1 for count in received.values() if count > 1),
            doubled_accepts=sum(1 for count in tally.accepted.values() if count > 1),
        )
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for worker in workers:
            stop_worker(worker)
        receiver.stop()
        redis.stop()
        postgres.stop()


def _line(figures: Figures, single: Figures | None) -> str:
    versus = f"  ×{figures.requests_per_s / single.requests_per_s:.2f} of single node" if single else ""
    tally = figures.tally
    return (
        f"  {figures.name:<12} {figures.requests_per_s:6.0f} requests/s{versus}\n"
        f"    intake {figures.rate('intake'):5.0f}/s ({len(tally.acknowledged)} referrals), casework "
        f"{figures.rate('casework'):5.0f}/s, provider {figures.rate('provider'):4.0f}/s "
        f"({len(tally.accepted)} offers accepted); 5xx {tally.server_errors}, "
        f"unanswered after retries {len(tally.unanswered)}\n"
        f"    webhooks received {figures.webhooks_delivered} (all delivered {figures.drain_seconds:.1f} s "
        f"after the load stopped)\n"
        f"    lost: {figures.lost_referrals} referrals, {figures.lost_webhooks} webhooks   "
        f"doubled: {figures.doubled_referrals} referrals, {figures.doubled_webhooks} webhooks, "
        f"{figures.doubled_accepts} accepts"
    )


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="val-cluster-"))
    scratch.chmod(0o755)
    try:
        print(
            f"VAL cluster run: {SECONDS:.0f} s of mixed load ({INTAKE_CLIENTS} police systems, "
            f"{COORDINATOR_CLIENTS} coordinators, {PROVIDER_CLIENTS} provider) against one PostgreSQL "
            f"(durable) and one Redis, on {os.cpu_count()} cores"
        )
        single = _one_run("single node", api_groups=1, worker_nodes=1, beats=1, scratch=scratch)
        print(_line(single, None), flush=True)
        cluster = _one_run("cluster", api_groups=2, worker_nodes=2, beats=2, scratch=scratch)
        print("  (cluster: 2 API process groups, 2 worker nodes, and a beat on each node)")
        print(_line(cluster, single))
        runs = (single, cluster)
        lost = sum(f.lost_referrals + f.lost_webhooks + len(f.tally.unanswered) for f in runs)
        doubled = sum(f.doubled_referrals + f.doubled_webhooks + f.doubled_accepts for f in runs)
        errors = sum(f.tally.server_errors for f in runs)
        verdict = "pass" if not (lost or doubled or errors) else "FAIL"
        print(f"  both runs: lost {lost}, doubled {doubled}, 5xx {errors}: {verdict}")
        return 0 if verdict == "pass" else 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
