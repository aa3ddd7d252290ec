"""`val run` has nothing in front of it: clients that send their headers or their body a byte at a time must not
stop it answering everyone else. Run with the gunicorn command `val run` builds."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def _api(tmp_path, **environ: str) -> Iterator[int]:
    """`val run`'s API alone, as `val run` starts it; its port."""
    port = free_port()
    settings = load_settings(
        overrides={"port": port, "data_dir": tmp_path, "database_url": f"sqlite:///{tmp_path / 'val.sqlite'}"}
    )
    server = subprocess.Popen(
        _commands(settings)["api"],
        env={
            **os.environ,
            "VAL_DATABASE_URL": settings.effective_database_url,
            "VAL_DATA_DIR": str(tmp_path),
            **environ,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health")
        yield port
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def _health_within(port: int, seconds: float) -> None:
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as answer:
        assert answer.status == 200
    assert time.monotonic() - started < seconds, "answered while the slow clients were still sending"


BODY_TRICKLERS = 40


def test_clients_trickling_their_bodies_hold_no_thread(tmp_path):
    """The reviewer's attack: 40 connections each announcing a 100,000-byte referral and sending a byte every
    2 s. Before, /health timed out for 40 s; every thread was waiting on a body."""
    stop, opened, trickled = threading.Event(), [], []

    def trickle_body(port: int) -> None:
        connection = socket.create_connection(("127.0.0.1", port))
        opened.append(connection)
        connection.sendall(
            b"POST /api/v1/referrals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{"
        )
        while not stop.wait(2):
            try:
                connection.sendall(b" ")
            except OSError:
                return
            trickled.append(1)

    with _api(tmp_path) as port:
        slow = [
            threading.Thread(target=trickle_body, args=(port,), daemon=True) for _ in range(BODY_TRICKLERS)
        ]
        try:
            for thread in slow:
                thread.start()
            wait_until(
                lambda: len(opened) == BODY_TRICKLERS and len(trickled) >= BODY_TRICKLERS,
                what="every slow client to connect and send part of its body",
                every=0.1,
            )
            for _ in range(3):
                _health_within(port, 2)
                time.sleep(1)
            assert all(thread.is_alive() for thread in slow), "the slow clients were still sending"
        finally:
            stop.set()
            for connection in opened:
                connection.close()


def test_a_request_not_read_within_the_deadline_is_answered_408_and_one_that_expects_continue_is_read(
    tmp_path,
):
    with _api(tmp_path, VAL_REQUEST_READ_SECONDS="2") as port:
        slow = socket.create_connection(("127.0.0.1", port), timeout=10)
        slow.sendall(b"POST /api/v1/referrals HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        answer = slow.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408") and b"application/problem+json" in answer
        slow.close()

        waiting = socket.create_connection(("127.0.0.1", port), timeout=10)
        body = b'{"not": "a referral"}'
        waiting.sendall(
            b"POST /api/v1/referrals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        assert waiting.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"
        waiting.sendall(body)
        final = waiting.recv(4096)
        assert final.startswith(b"HTTP/1.1 401"), final[:60]  # read whole, and answered: no key was sent
        assert b"100 Continue" not in final, "one 100 Continue only"
        waiting.close()


def test_clients_trickling_their_headers_do_not_stop_val_run_answering_others(tmp_path):
    stop, opened, trickled = threading.Event(), [], []
    with _api(tmp_path) as port:
        slow = [
            threading.Thread(target=_trickle, args=(port, stop, opened, trickled), daemon=True)
            for _ in range(TRICKLING_CLIENTS)
        ]
        try:
            for thread in slow:
                thread.start()
            wait_until(  # every slow client has connected and is mid-headers
                lambda: len(opened) == TRICKLING_CLIENTS and len(trickled) >= 2 * TRICKLING_CLIENTS,
                what="every slow client to connect and trickle",
                every=0.1,
            )
            _health_within(port, 5)
            assert all(thread.is_alive() for thread in slow), (
                "the slow clients were still connected, mid-headers"
            )
        finally:
            stop.set()
            for connection in opened:
                connection.close()
