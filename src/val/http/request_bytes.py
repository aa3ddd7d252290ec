"""Whether the bytes read so far on a connection hold a whole HTTP/1.1 request (pure: no I/O).

`val run`'s API reads each request whole before a thread takes it (val.http.gunicorn_worker), so a client that
sends its body a byte at a time holds a buffer, never a thread. This only finds where a request ends; gunicorn
parses it. Anything this does not understand counts as whole at once, for gunicorn to refuse as it always has."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXPECT_LINE = re.compile(rb"\r\nexpect:[^\r\n]*", re.IGNORECASE)
_CHUNK_SIZE = re.compile(rb"([0-9a-fA-F]{1,16})[ \t]*(?:;[^\r\n]*)?\r\n")


@dataclass(frozen=True)
class Scan:
    whole: bool  # hand it to a thread now
    expects_continue: bool = False  # headers done, body awaited, and the client waits for "100 Continue"


def scan(data: bytes, *, max_header_bytes: int, max_body_bytes: int) -> Scan:
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return Scan(whole=len(data) > max_header_bytes)  # too long: gunicorn answers 431
    fields = _fields(data[:head_end])
    body = head_end + 4
    if "transfer-encoding" in fields:
        if fields["transfer-encoding"][-1].strip().lower() != "chunked":
            return Scan(whole=True)
        end = chunked_end(data, body, max_body_bytes)
        return Scan(whole=end is not None, expects_continue=end is None and _continues(fields))
    lengths = {value.strip() for value in fields.get("content-length", ["0"])}
    if len(lengths) != 1 or not next(iter(lengths)).isdigit():
        return Scan(whole=True)  # gunicorn answers 400
    length = int(next(iter(lengths)))
    if length > max_body_bytes:
        return Scan(whole=True)  # the app answers 413 without reading it
    whole = len(data) - body >= length
    return Scan(whole=whole, expects_continue=not whole and _continues(fields))


def without_expect(data: bytes) -> bytes:
    """The request without its Expect header: VAL has answered "100 Continue" itself, so gunicorn must not."""
    head_end = data.find(b"\r\n\r\n")
    return _EXPECT_LINE.sub(b"", data[:head_end]) + data[head_end:]


def chunked_end(data: bytes, start: int, limit: int) -> int | None:
    """Where a chunked body that begins at `start` ends (after its trailers), None while it is incomplete; a
    body that cannot be read, or one over `limit`, ends at once (gunicorn refuses it)."""
    at, size_total = start, 0
    while True:
        line_end = data.find(b"\r\n", at)
        if line_end < 0:
            return None if len(data) - at < 1024 else len(data)
        found = _CHUNK_SIZE.match(data, at)
        if found is None:
            return len(data)
        size = int(found.group(1), 16)
        size_total += size
        if size_total > limit:
            return len(data)
        at = found.end()
        if size == 0:
            trailers_end = data.find(b"\r\n", at)
            while trailers_end >= 0 and trailers_end != at:  # each trailer line, then the empty line
                at = trailers_end + 2
                trailers_end = data.find(b"\r\n", at)
            return None if trailers_end < 0 else trailers_end + 2
        if len(data) < at + size + 2:
            return None
        at += size + 2


def _fields(head: bytes) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if sep:
            found.setdefault(name.strip().lower(), []).append(value)
    return found


def _continues(fields: dict[str, list[str]]) -> bool:
    return any(value.strip().lower() == "100-continue" for value in fields.get("expect", []))
