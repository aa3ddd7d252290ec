"""The HTTP side of auth: every view names the roles that may call it."""

from __future__ import annotations

import copy
import functools
import hmac
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request

from val.auth.claims import RoleRefused, identity_of, role_of
from val.auth.oidc import SignIn, SignInUnavailable, TokenRefused, looks_like_token
from val.auth.people import PersonDisabled, recognise
from val.auth.roles import PERSON_ROLES, Principal, Role
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


def _principal(bearer: str) -> Principal:
    sign_in: SignIn | None = current_app.extensions.get("val_sign_in")
    if sign_in is not None and looks_like_token(bearer):
        return _person(sign_in, bearer)
    principal = authenticate(request_session(), bearer)
    if principal is None:
        raise _failed("The API key is unknown or revoked.")
    if principal.role in PERSON_ROLES and not current_app.extensions["val"].settings.person_keys:
        raise _unauthorised("Keys for people are switched off here: sign in through your organisation.")
    return principal


def _person(sign_in: SignIn, token: str) -> Principal:
    """The signed-in person: a verified token, one VAL role from its claims, and not disabled in VAL."""
    try:
        claims = sign_in.verifier.verify(token)
    except TokenRefused as refused:
        raise _failed(f"The sign-in token was refused: {refused.reason}.") from None
    except SignInUnavailable:
        raise Problem(
            503,
            "Service Unavailable",
            "Sign-in is unavailable: the identity provider's keys cannot be fetched. Try again shortly.",
            problem_type="sign-in-unavailable",
            headers={"Retry-After": "30"},
        ) from None
    try:
        role = role_of(claims, sign_in.roles_claim, sign_in.role_values)
    except RoleRefused as refused:
        raise Problem(403, "Forbidden", str(refused)) from None
    try:
        return recognise(request_session(), identity_of(claims), role)
    except PersonDisabled:
        raise Problem(
            403, "Forbidden", "This person's access to VAL has been disabled by an administrator."
        ) from None


def _failed(detail: str) -> Problem:
    """A failed key or token. Only failures are throttled: a valid credential is never refused for what others
    sent from the same address (one person behind a force's NAT must not stop every intake system)."""
    wait = _throttle().wait_seconds(request.remote_addr or "unknown", request_session())
    if wait is not None:
        return Problem(
            429,
            "Too Many Requests",
            "Too many failed authentications from this client; wait before trying again.",
            problem_type="authentication-throttled",
            headers={"Retry-After": str(wait)},
        )
    return _refused(detail)


def require_roles(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    allowed = frozenset(roles)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            key = _bearer_key()
            if key is None:
                # Nothing was guessed, so nothing counts against the client: it is told what to send.
                raise _unauthorised("An API key or a sign-in token is required: Authorization: Bearer <key>.")
            principal = _principal(key)
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


def require_shared_token(
    expected: Callable[[], str], caller: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A route another service calls with the bearer token it was configured with (GOV.UK Notify's receipts):
    compared in constant time; a wrong one counts against the client's allowance like a wrong key."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            token, configured = _bearer_key(), expected()
            if not configured:
                raise _unauthorised(
                    f"{caller} has no token configured here, so nothing it sends is accepted."
                )
            if token is None:
                raise _unauthorised(
                    f"The token configured for {caller} is required: Authorization: Bearer <token>."
                )
            if not hmac.compare_digest(token.encode(), configured.encode()):
                raise _failed(f"The token is not the one configured for {caller}.")
            return view(*args, **kwargs)

        return guarded

    return decorate
