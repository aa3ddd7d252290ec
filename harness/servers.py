"""Throwaway PostgreSQL and Redis servers on free loopback ports, for tests and benchmarks.

They are real servers started from the installed binaries (`scripts/ensure-system-packages` installs them);
nothing here mocks a database or a broker.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise ServerError(f"nothing listening on port {port} after {timeout}s")


def postgres_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise ServerError(
        "PostgreSQL server binaries not found: run scripts/ensure-system-packages (apt-get install postgresql)"
    )


class PostgresServer:
    """initdb + pg_ctl in a private directory. PostgreSQL refuses to run as root, so as root it runs as the
    `postgres` system user the Debian package creates."""

    def __init__(
        self, base_dir: Path, *, durable: bool = False, settings: dict[str, str] | None = None
    ) -> None:
        self.base_dir = base_dir
        self.settings = settings or {}
        self.data_dir = base_dir / "pgdata"
        self.port = free_port()
        self.durable = durable
        self.bindir = postgres_bindir()

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise ServerError(f"{args[0]} failed: {result.stderr.strip() or result.stdout.strip()}")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://val@127.0.0.1:{self.port}/val"

    def start(self) -> PostgresServer:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.base_dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "val", "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.base_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:  # tests: durability is not what they check; speed matters
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        options += "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.base_dir / "log"), "-w", "start"
        )
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "val", "val")
        return self

    def restart(self) -> None:
        """What an operator's `pg_ctl restart` does: every open connection is cut."""
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.base_dir / "log"),
            "-m",
            "fast",
            "-w",
            "restart",
        )

    def stop(self) -> None:
        if self.data_dir.exists():
            with contextlib.suppress(ServerError):
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "stop")


class RedisServer:
    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerError(
                "redis-server not found: run scripts/ensure-system-packages (apt-get install redis-server)"
            )
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.base_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, 10, self.process)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def restart_empty(self) -> None:
        """Stop and start again on the same port with nothing kept: a broker that lost every message."""
        self.stop()
        self.start()


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except Exception as exc:
            last = exc
        time.sleep(0.2)
    raise ServerError(f"{url} did not answer 200 within {timeout}s: {last}")


def start_gunicorn(
    app: str,
    port: int,
    env: dict[str, str],
    *,
    workers: int = 2,
    worker_class: str = "val.http.gunicorn_worker.ProblemSyncWorker",
    log: Path | None = None,
) -> subprocess.Popen:
    """One gunicorn process group on loopback, with the API's production worker class, as benchmarks and
    `make cluster` run the API (its own process group, so it can be stopped with everything it forked)."""
    root = Path(__file__).resolve().parents[1]
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--chdir",
            str(root),
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
            app,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w") if log is not None else subprocess.DEVNULL,  # the child owns it
        start_new_session=True,
    )
