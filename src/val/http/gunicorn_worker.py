"""gunicorn's own answers — a request line or headers too large (414, 431), a request it cannot parse (400) —
come before Flask sees the request. This worker sends them as RFC 9457 problem+json like every other VAL
error, instead of gunicorn's HTML page. It also freezes what the app built at startup, out of the collector's
way (ADR 0005)."""

from __future__ import annotations

import gc
import json
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

from val.http.problems import PROBLEM_TYPE_BASE


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    # The detail never echoes what was sent: a request line can carry a name or a phone number.
    body = json.dumps(
        {
            "type": PROBLEM_TYPE_BASE + "-".join(reason.lower().split()),
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
    """A thread per request being read or answered (`--threads`), for `val run`, which nothing fronts: with
    sync workers, eight clients sending their headers a byte at a time held both processes and the API
    answered no one."""
