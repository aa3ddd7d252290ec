"""gunicorn's own answers — a request line or headers too large (414, 431), a request it cannot parse (400) —
come before Flask sees the request. This worker sends them as RFC 9457 problem+json like every other VAL
error, instead of gunicorn's HTML page. It also freezes what the app built at startup, out of the collector's
way (ADR 0005)."""

from __future__ import annotations

import contextlib
import gc
import json
import selectors
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

from val.http.problems import PROBLEM_TYPE_PATH
from val.http.request_bytes import scan, without_expect
from val.settings import load_settings


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    # The detail never echoes what was sent: a request line can carry a name or a phone number.
    body = json.dumps(
        {
            "type": PROBLEM_TYPE_PATH + "-".join(reason.lower().split()),
            "title": reason,
            "status": status_int,
            "detail": "The request could not be read: " + reason.lower() + ".",
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Cache-Control: no-store\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin1") + body)


class _ProblemAnswers:
    """What both worker classes add to gunicorn's: problem+json for gunicorn's own errors, a frozen heap."""

    def load_wsgi(self) -> None:
        super().load_wsgi()  # type: ignore[misc]
        # Everything the app built at startup lives as long as the process. Frozen, the collector stops
        # walking it: a full collection took 60 ms in the middle of a request, the work queue's p99.
        gc.freeze()

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        # gunicorn decides the status and logs it; only the way the answer is written changes. A sync worker
        # handles one request at a time, so swapping the writer for the call is safe.
        original = util.write_error
        util.write_error = write_problem
        try:
            super().handle_error(req, client, addr, exc)  # type: ignore[misc]
        finally:
            util.write_error = original


class ProblemSyncWorker(_ProblemAnswers, SyncWorker):  # type: ignore[misc]  # gunicorn is untyped
    """One request at a time per process: the fastest behind a proxy that buffers requests (production)."""


class ProblemThreadWorker(_ProblemAnswers, ThreadWorker):  # type: ignore[misc]  # gunicorn is untyped
    """A thread per request being answered (`--threads`): the base of `val run`'s ProblemBufferingWorker. With
    sync workers, eight clients sending their headers a byte at a time held both processes and the API
    answered no one."""


# What one read takes from a socket while a request is being read.
READ_BYTES = 65536
# Request line and headers together (gunicorn's own limits are below this; past it gunicorn refuses the request).
MAX_HEAD_BYTES = 65536


@dataclass
class _Reading:
    """A request being read on the event loop, before any thread takes it."""

    data: bytearray
    started: float
    continued: bool = False
    registered: bool = False
    last_byte: float = field(default_factory=time.monotonic)


class ProblemBufferingWorker(ProblemThreadWorker):
    """`val run`'s API, which nothing fronts: each request is read whole by the event loop before a thread takes
    it, so clients that send their headers or body a byte at a time hold a buffer each, never a thread, and
    everyone else is answered. A request not whole within `request_read_seconds` is answered 408 and closed."""

    def init_process(self) -> None:
        settings = load_settings()
        self._read_seconds = settings.request_read_seconds
        self._max_body = max(settings.max_body_bytes, settings.max_batch_bytes)
        self._reading: dict[Any, _Reading] = {}
        super().init_process()

    def enqueue_req(self, conn: Any) -> None:
        if self.cfg.is_ssl or getattr(conn, "val_whole", None) is not None:
            super().enqueue_req(conn)
            return
        # Bytes gunicorn already read past the last request (a pipelining client) start this one.
        ahead = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        reading = _Reading(bytearray(ahead), time.monotonic())
        self._reading[conn] = reading
        conn.sock.setblocking(False)
        if not self._whole_yet(conn, reading):
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._read_more, conn))
            reading.registered = True

    def _read_more(self, conn: Any, _sock: Any) -> None:
        reading = self._reading[conn]
        try:
            data = conn.sock.recv(READ_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._forget(conn, reading)
            return
        reading.data += data
        reading.last_byte = time.monotonic()
        self._whole_yet(conn, reading)

    def _whole_yet(self, conn: Any, reading: _Reading) -> bool:
        found = scan(bytes(reading.data), max_header_bytes=MAX_HEAD_BYTES, max_body_bytes=self._max_body)
        if found.expects_continue and not reading.continued:
            # The client waits for this before sending its body; gunicorn would send it only once a thread took
            # the request, so it is sent here and the Expect header taken out.
            reading.continued = True
            reading.data = bytearray(without_expect(bytes(reading.data)))
            with contextlib.suppress(OSError):  # gone: the next read finds out
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        if not found.whole:
            return False
        if reading.registered:
            self.poller.unregister(conn.sock)
        del self._reading[conn]
        conn.val_whole = bytes(reading.data)
        conn.data_ready = True
        super().enqueue_req(conn)
        return True

    def handle(self, conn: Any) -> Any:
        whole: bytes | None = getattr(conn, "val_whole", None)
        conn.val_whole = None
        if whole is not None:
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(whole)
        return super().handle(conn)

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, reading in list(self._reading.items()):
            if not reading.data and now - reading.last_byte > max(self.cfg.keepalive, 1):
                self._forget(conn, reading)  # an idle connection that never began a request
            elif reading.data and now - reading.started > self._read_seconds:
                write_problem(conn.sock, 408, "Request Timeout", "")
                self._forget(conn, reading)

    def _forget(self, conn: Any, reading: _Reading) -> None:
        if reading.registered:
            self.poller.unregister(conn.sock)
        del self._reading[conn]
        self.nr_conns -= 1
        conn.close()
