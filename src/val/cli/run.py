"""`val run`: the API (gunicorn), one Celery worker and the beat, started and stopped together, and kept up: a
child that stops is restarted with backoff (`cli/restarts.py`), a person is alerted when one keeps stopping,
and everything stops on Ctrl-C (or SIGTERM) or when a child cannot be kept up."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from val.alerts.kinds import AlertKind
from val.alerts.service import raise_alert_once
from val.auth import store as credentials
from val.auth.roles import Role
from val.auth.service import create_credential
from val.cli.base import in_unit_of_work, main, prepare, settings
from val.cli.restarts import RestartPolicy, after_stop
from val.logs import configure_logging
from val.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger("val.run")


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


def _commands(settings_: Settings) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    web = [
        str(bin_dir / "gunicorn"),
        "--workers",
        str(settings_.web_workers),
        "--worker-class",
        "val.http.gunicorn_worker.ProblemBufferingWorker",
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
    return {"api": web, "worker": worker}


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
    if os.geteuid() == 0:
        click.echo(
            "  Running as root: fine for a try-out; in production run VAL under an account of its own."
        )
    click.echo("Press Ctrl-C to stop.")


@main.command("run")
def run() -> None:
    """Run the API (gunicorn), one Celery worker and the beat, restarting any that stops; Ctrl-C stops them
    all."""
    settings_ = settings()
    configure_logging(settings_.log_level)
    _refuse_a_port_in_use(settings_.bind_host, settings_.port)
    # What an earlier version left readable (the broker's queue, the beat's schedule) is made VAL's alone too.
    settings_.data_dir.mkdir(
        parents=True, exist_ok=True, mode=0o700
    )  # the beat's state lives there in every mode
    _private_tree(settings_.data_dir)
    prepare(settings_)
    demo_keys = in_unit_of_work(_seed_demo_credentials, settings_) if settings_.embedded else {}
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(_fresh_metrics_dir(settings_))}
    children = [Child(name, command) for name, command in _commands(settings_).items()]
    for child in children:
        child.start(environment)
    _announce(settings_, demo_keys)
    gave_up = _supervise(children, environment, RestartPolicy(), alert=_alerter(settings_))
    if gave_up is not None:
        raise click.ClickException(
            f"the {gave_up} kept stopping and could not be kept up; everything is stopped (see the log)"
        )


@dataclass
class Child:
    """One command `val run` keeps up: its current process, when it started, how many restarts in a row."""

    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts_in_a_row: int = 0
    restart_at: float | None = None

    def start(self, environment: dict[str, str]) -> None:
        # Each child leads its own process group, so stopping it also stops what it forked (gunicorn's
        # workers, Celery's pool and beat) and Ctrl-C reaches them only through us, in order. preexec_fn is
        # safe here: `val run` has one thread.
        self.process = subprocess.Popen(
            self.command,
            start_new_session=True,
            env=environment,
            preexec_fn=_die_with_parent(os.getpid()),
        )
        self.started_at, self.restart_at = time.monotonic(), None


Alert = Callable[[str, int], None]


def _supervise(
    children: list[Child], environment: dict[str, str], policy: RestartPolicy, *, alert: Alert
) -> str | None:
    """Keep the children up until Ctrl-C (or SIGTERM): a child that stops has what is left of its group
    stopped, and is started again after the policy's delay. Then stop them all. The name of a child that could
    not be kept up (everything is stopped then), or None when asked to stop."""
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping:
            for child in children:
                gave_up = _tend(child, environment, policy, alert)
                if gave_up:
                    return child.name
            time.sleep(0.2)
        return None
    finally:
        _stop_groups([c.process for c in children if c.process is not None])
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _tend(child: Child, environment: dict[str, str], policy: RestartPolicy, alert: Alert) -> bool:
    """Notice a stop, or restart when it is time; True when the child cannot be kept up."""
    now = time.monotonic()
    if child.process is not None and (code := child.process.poll()) is not None:
        _clear_group(child.process)  # what it forked must not hold the port or the queue
        child.process = None
        restart = after_stop(policy, child.restarts_in_a_row, now - child.started_at)
        if restart is None:
            log.error("child stopped; not restarted", extra={"child": child.name, "exit_code": code})
            return True
        child.restarts_in_a_row, child.restart_at = restart.in_a_row, now + restart.in_seconds
        log.warning(
            "child stopped; restarting",
            extra={
                "child": child.name,
                "exit_code": code,
                "restart_in_s": restart.in_seconds,
                "restarts_in_a_row": restart.in_a_row,
            },
        )
        if restart.alert:
            alert(child.name, restart.in_a_row)
    if child.process is None and child.restart_at is not None and now >= child.restart_at:
        child.start(environment)
        log.warning(
            "child restarted", extra={"child": child.name, "restarts_in_a_row": child.restarts_in_a_row}
        )
    return False


def _alerter(settings_: Settings) -> Alert:
    def alert(name: str, in_a_row: int) -> None:
        detail = (
            f"VAL's {name} process has stopped {in_a_row} times in a row; val run restarts it with a growing "
            "wait and stops everything if it cannot be kept up. Look at the service's log."
        )
        try:
            in_unit_of_work(
                lambda session: raise_alert_once(session, AlertKind.SERVICE_RESTARTING, detail), settings_
            )
        except Exception as exc:  # the database may be what is failing: the log says it anyway
            log.error("could not raise the restart alert", extra={"error_type": type(exc).__name__})

    return alert


def _private_tree(root: Path) -> None:
    """Every directory under `root` 0700 and every file 0600 (the data directory holds special category data)."""
    root.chmod(0o700)
    for path in root.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o700 if path.is_dir() else 0o600)


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


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _group_alive(process: subprocess.Popen[bytes]) -> bool:
    try:
        os.killpg(process.pid, 0)
        return True
    except ProcessLookupError:
        return False


def _clear_group(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """What is left of a stopped child's group (gunicorn's workers, Celery's pool): SIGTERM, then SIGKILL."""
    _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _group_alive(process) and time.monotonic() < deadline:
        time.sleep(0.1)
    _signal_group(process, signal.SIGKILL)


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
