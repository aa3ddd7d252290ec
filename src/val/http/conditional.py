"""Conditional reads (RFC 9110 §13): an answer's ETag names its content, and If-None-Match with that tag is
answered 304 without the body, so a client polling a case or a list moves nothing when nothing changed."""

from __future__ import annotations

import hashlib

from flask import Response, request


def content_tagged(response: Response, version_tag: str | None = None) -> Response:
    """Tag the answer by its content: after a case's version tag (`"<version>-<hmac>.<content>"`, so If-Match
    still compares versions), or alone. Then 304 for a matching If-None-Match."""
    if response.status_code != 200:
        return response
    digest = hashlib.sha256(response.get_data()).hexdigest()[:16]
    response.headers["ETag"] = f'{version_tag[:-1]}.{digest}"' if version_tag else f'"{digest}"'
    response.make_conditional(request)  # werkzeug changes the response in place (a 304 drops its body)
    return response
