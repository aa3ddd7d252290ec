"""`val run` has nothing in front of it: clients that send their headers a byte at a time must not stop it
answering everyone else. Run with the gunicorn command `val run` builds."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request

from harness.servers import free_port, wait_for_http
from tests.waiting import wait_until
from val.cli.run import _commands
from val.settings import load_settings

TRICKLING_CLIENTS = 8


def _trickle(port: int, stop: threading.Event, opened: list[socket.socket], trickled: list[int]) -> None:
    connection = socket.create_connection(("127.0.0.1", port))
    opened.append(connection)
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    while not stop.wait(0.5):
        try:
            connection.sendall(b"a")
        except OSError:
            return
        trickled.append(1)


def test_clients_trickling_their_headers_do_not_stop_val_run_answering_others(tmp_path):
    import os
    import subprocess

    port = free_port()
    settings = load_settings(
        overrides={"port": port, "data_dir": tmp_path, "database_url": f"sqlite:///{tmp_path / 'val.sqlite'}"}
    )
    web = _commands(settings)["api"]
    server = subprocess.Popen(
        web,
        env={
            **os.environ,
            "VAL_DATABASE_URL": settings.effective_database_url,
            "VAL_DATA_DIR": str(tmp_path),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    stop, opened, trickled = threading.Event(), [], []
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health")
        slow = [
            threading.Thread(target=_trickle, args=(port, stop, opened, trickled), daemon=True)
            for _ in range(TRICKLING_CLIENTS)
        ]
        for thread in slow:
            thread.start()
        wait_until(  # every slow client has connected and is mid-headers
            lambda: len(opened) == TRICKLING_CLIENTS and len(trickled) >= 2 * TRICKLING_CLIENTS,
            what="every slow client to connect and trickle",
            every=0.1,
        )
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as answer:
            assert answer.status == 200
        assert time.monotonic() - started < 5, "answered while the slow clients were still trickling"
        assert all(thread.is_alive() for thread in slow), "the slow clients were still connected, mid-headers"
    finally:
        stop.set()
        for connection in opened:
            connection.close()
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
