"""The HTTP side of auth: every view names the roles that may call it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request

from val.auth.roles import Principal, Role
from val.auth.service import authenticate
from val.http.context import request_session
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
    return g.principal


def require_roles(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    allowed = frozenset(roles)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            key = _bearer_key()
            if key is None:
                raise _unauthorised("An API key is required: Authorization: Bearer <key>.")
            principal = authenticate(request_session(), key)
            if principal is None:
                raise _unauthorised("The API key is unknown or revoked.")
            g.principal = principal
            if principal.role not in allowed:
                raise Problem(403, "Forbidden", f"The {principal.role} role may not do this.")
            return view(*args, **kwargs)

        guarded._val_roles = allowed  # type: ignore[attr-defined]  # read by the route-coverage test
        return guarded

    return decorate
