"""`val run`: the API (gunicorn), one Celery worker and the beat, started and stopped together."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from val.auth import store as credentials
from val.auth.roles import Role
from val.auth.service import create_credential
from val.cli.base import in_unit_of_work, main, prepare, settings
from val.logs import configure_logging
from val.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _seed_demo_credentials(session: Session) -> dict[str, str]:
    """On a fresh embedded install, one intake and one coordinator key so the API can be tried at once."""
    if credentials.any_named_like(session, "demo-"):
        return {}
    return {
        Role.INTAKE.value: create_credential(
            session, name="demo-intake", role=Role.INTAKE, source_systems=["police-rms"]
        ),
        Role.COORDINATOR.value: create_credential(session, name="demo-coordinator", role=Role.COORDINATOR),
    }


def _commands(settings_: Settings) -> tuple[list[str], list[str]]:
    bin_dir = Path(sys.executable).parent
    web = [
        str(bin_dir / "gunicorn"),
        "--workers",
        str(settings_.web_workers),
        "--worker-class",
        "val.http.gunicorn_worker.ProblemThreadWorker",
        "--threads",
        str(settings_.web_threads),
        "--bind",
        f"{settings_.bind_host}:{settings_.port}",
        "--log-level",
        "warning",
        "val.app:create_app()",
    ]
    worker = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.app",
        "worker",
        "--beat",
        "--schedule",
        str(settings_.beat_schedule_file),
        "--concurrency",
        "1",
        "--loglevel",
        "WARNING",
        # No --queues: the worker consumes every declared queue, one per provider included.
    ]
    return web, worker


def _announce(settings_: Settings, demo_keys: dict[str, str]) -> None:
    base = f"http://{settings_.bind_host}:{settings_.port}"
    mode = "embedded (SQLite + SQLite broker)" if settings_.embedded else "production (PostgreSQL + Redis)"
    click.echo(f"VAL is starting in {mode} mode.")
    click.echo(f"  API      {base}/api/v1")
    click.echo(f"  Docs     {base}/docs   (OpenAPI: {base}/openapi.json)")
    click.echo(f"  Health   {base}/health   Ready: {base}/ready")
    for role, key in demo_keys.items():
        click.echo(f"  Demo {role} key (shown once): {key}")
    click.echo("  New credential: .venv/bin/val credentials create --role coordinator --name YOUR.NAME")
    click.echo("Press Ctrl-C to stop.")


@main.command("run")
def run() -> None:
    """Run the API (gunicorn), one Celery worker and the beat; Ctrl-C stops them all."""
    settings_ = settings()
    configure_logging(settings_.log_level)
    _refuse_a_port_in_use(settings_.bind_host, settings_.port)
    prepare(settings_)
    settings_.data_dir.mkdir(parents=True, exist_ok=True)  # the beat's state lives there in every mode
    demo_keys = in_unit_of_work(_seed_demo_credentials, settings_) if settings_.embedded else {}
    # Each child leads its own process group, so stopping it also stops what it forked (gunicorn's
    # workers, Celery's pool and beat) and Ctrl-C reaches them only through us, in order.
    commands = _commands(settings_)
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(_fresh_metrics_dir(settings_))}
    # preexec_fn is safe here: `val run` has one thread when it starts its children.
    die_with_us = _die_with_parent(os.getpid())
    processes = [
        subprocess.Popen(command, start_new_session=True, env=environment, preexec_fn=die_with_us)
        for command in commands
    ]
    _announce(settings_, demo_keys)
    stopping = _supervise(processes)
    failed = [
        c[0]
        for c, p in zip(commands, processes, strict=True)
        if p.returncode not in (0, -signal.SIGTERM, None)
    ]
    if failed and not stopping:
        raise click.ClickException(f"a process stopped unexpectedly: {failed}")


def _refuse_a_port_in_use(host: str, port: int) -> None:
    """One clear line, before anything starts, when the port is taken (often a VAL still running)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"port {port} on {host} is in use ({exc.strerror}): is another VAL still running? "
                "Stop it, or set VAL_PORT."
            ) from None


def _die_with_parent(parent: int) -> Callable[[], None]:
    """For each child, before it runs: SIGTERM when `val run` dies, however it dies (kill -9 included), so
    no gunicorn or Celery outlives it holding the port. Each child leads its own session, so a signal to
    `val run`'s process group never reaches it: this is how it learns."""

    def arrange() -> None:
        if sys.platform == "linux":
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return arrange


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _fresh_metrics_dir(settings_: Settings) -> Path:
    """gunicorn's workers are processes: prometheus_client adds their counts up from files here (GET /metrics).
    Emptied at each start, as its documentation asks, so counts of a previous run are not added in."""
    path = settings_.data_dir.resolve() / "metrics"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _supervise(processes: list[subprocess.Popen[bytes]]) -> bool:
    """Wait for Ctrl-C (or SIGTERM) or for a child to stop; then stop them all. True when asked to stop."""
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.5)
    finally:
        _stop_groups(processes)
    return stopping


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _group_alive(process: subprocess.Popen[bytes]) -> bool:
    try:
        os.killpg(process.pid, 0)
        return True
    except ProcessLookupError:
        return False


def _stop_groups(processes: list[subprocess.Popen[bytes]], grace: float = 15.0) -> None:
    """SIGTERM to each leader only (gunicorn finishes its requests, Celery its running tasks: a warm shutdown;
    signalling the whole group would kill the pool mid-task), then SIGKILL whatever is left of each group."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    while any(_group_alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    for process in processes:
        _signal_group(process, signal.SIGKILL)
        process.wait()
