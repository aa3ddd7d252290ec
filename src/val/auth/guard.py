"""The HTTP side of auth: every view names the roles that may call it."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request

from val.auth.roles import Principal, Role
from val.auth.service import authenticate
from val.auth.throttle import FailedAuthThrottle
from val.http.context import drop_request_work, request_session
from val.http.problems import Problem


def _bearer_key() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return key.strip()


def _unauthorised(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="val"'})


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal


def _throttle() -> FailedAuthThrottle:
    throttle: FailedAuthThrottle = current_app.extensions["val_auth_throttle"]
    return throttle


def _refused(detail: str) -> Problem:
    """A failed authentication counts against the client's allowance. The request's transaction ends first:
    nothing of a refused request is kept, and the count is written in a transaction of its own."""
    drop_request_work()
    _throttle().failed(request.remote_addr or "unknown")
    return _unauthorised(detail)


def require_roles(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    allowed = frozenset(roles)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            key = _bearer_key()
            if key is None:
                # Nothing was guessed, so nothing counts against the client: it is told what to send.
                raise _unauthorised("An API key is required: Authorization: Bearer <key>.")
            principal = authenticate(request_session(), key)
            if principal is None:
                # Only failures are throttled: a valid key is never refused for what others sent from the same
                # address (one person behind a force's NAT must not stop every intake system).
                wait = _throttle().wait_seconds(request.remote_addr or "unknown", request_session())
                if wait is not None:
                    raise Problem(
                        429,
                        "Too Many Requests",
                        "Too many failed authentications from this client; wait before trying again.",
                        problem_type="authentication-throttled",
                        headers={"Retry-After": str(wait)},
                    )
                raise _refused("The API key is unknown or revoked.")
            g.principal = principal
            if principal.role not in allowed:
                raise Problem(403, "Forbidden", f"The {principal.role} role may not do this.")
            return view(*args, **kwargs)

        guarded._val_roles = allowed  # type: ignore[attr-defined]  # read by the route-coverage test
        # The OpenAPI document says who may call each operation (ApiBlueprint adds it to the description).
        apidoc = copy.deepcopy(getattr(guarded, "_apidoc", {}))
        apidoc.setdefault("manual_doc", {})["x-roles"] = sorted(allowed)
        guarded._apidoc = apidoc  # type: ignore[attr-defined]
        return guarded

    return decorate
