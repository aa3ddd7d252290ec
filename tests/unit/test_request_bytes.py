"""Where a request ends, as `val run` reads it before a thread takes it (table-driven, no I/O)."""

from __future__ import annotations

import pytest

from val.http.request_bytes import chunked_end, scan, without_expect

HEAD = b"POST /api/v1/referrals HTTP/1.1\r\nHost: val\r\n"


def limits(data: bytes):
    return scan(data, max_header_bytes=100, max_body_bytes=50)


@pytest.mark.parametrize(
    ("data", "whole", "expects_continue"),
    [
        (b"GET /health HTTP/1.1\r\nHost: val\r\n\r\n", True, False),
        (b"GET /health HTTP/1.1\r\nHost: v", False, False),
        (b"GET /health HTTP/1.1\r\nX: " + b"a" * 200, True, False),  # headers too long: gunicorn refuses
        (HEAD + b"Content-Length: 5\r\n\r\nab", False, False),
        (HEAD + b"Content-Length: 5\r\n\r\nabcde", True, False),
        (
            HEAD + b"content-length: 5\r\n\r\nabcdeGET / HTTP/1.1\r\n",
            True,
            False,
        ),  # pipelined: this one is whole
        (HEAD + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n", False, True),
        (HEAD + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\nabcde", True, False),
        (HEAD + b"Content-Length: 500\r\n\r\n", True, False),  # over the limit: refused unread (413)
        (HEAD + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n", True, False),  # ambiguous: gunicorn's 400
        (HEAD + b"Content-Length: -1\r\n\r\n", True, False),
        (HEAD + b"Transfer-Encoding: gzip\r\n\r\n", True, False),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", False, False),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", True, False),
        (HEAD + b"Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n", False, True),
    ],
)
def test_a_request_is_whole_when_its_body_has_all_come(data, whole, expects_continue):
    assert (limits(data).whole, limits(data).expects_continue) == (whole, expects_continue)


@pytest.mark.parametrize(
    ("body", "end"),
    [
        (b"3\r\nabc\r\n0\r\n\r\n", 13),
        (b"3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n", 31),
        (b"3\r\nab", None),
        (b"3\r\nabc\r\n0\r\nTrailer: x\r\n", None),
        (b"zz\r\n", 4),  # not a chunk size: gunicorn refuses it at once
        (b"40\r\n", 4),  # 64 bytes: over the 50-byte limit
        (b"3\r\nabc\r\n", None),
    ],
)
def test_a_chunked_body_ends_after_its_last_chunk_and_trailers(body, end):
    assert chunked_end(body, 0, 50) == end


def test_the_expect_header_is_taken_out_once_continue_was_sent():
    data = HEAD + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\nab"
    assert without_expect(data) == HEAD + b"Content-Length: 2\r\n\r\nab"
