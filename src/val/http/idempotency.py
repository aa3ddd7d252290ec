"""Idempotency-Key for POSTs: a retried request gets the first response, never a second effect.

Everything here runs in the request's own unit of work and never commits it: the key is claimed by inserting its
record before the work starts, and the response is stored in that record before the request commits, so the
answer commits with the work it describes or not at all. A concurrent retry's insert waits on the unique index
until the first request ends, then replays its answer (or claims the key, if the first one failed). Only
successful (2xx) responses are kept. A failed request's claim goes with its rolled-back work; where the claim had
already been committed (a batch commits record by record, so its claim commits with its first record) the key is
released in a fresh unit of work, so the client can correct the request and retry with the same key. A retry
while a batch runs is a 409, and a claim left by a process that died is taken over once
`idempotency_lock_seconds` have passed (the referrals' own duplicate detection keeps that safe)."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Response, g, make_response, request

from val.db.base import utcnow
from val.db.session import unit_of_work
from val.http import store
from val.http.context import drop_request_work, request_session, services
from val.http.problems import Problem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "Makes a retry safe: the same key and body within idempotency_ttl_hours (24 by default) "
    "get the first answer again "
    "(with Idempotent-Replayed: true), never a second referral.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"\S"},
}


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The same request, however its JSON is spaced or ordered, has the same fingerprint."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError, RecursionError):
        canonical = body
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def _claim(
    session: Session, credential_id: uuid.UUID, key: str, print_: str, ttl: dt.timedelta, lock: dt.timedelta
) -> uuid.UUID | Response:
    """In the request's transaction: no commit of its own (one durable commit per request, not two)."""
    now = utcnow()
    claimed = store.claim(session, credential_id, key, print_, now, now + ttl)
    if claimed is not None:
        return claimed
    existing = store.claimed(session, credential_id, key)
    if existing is None:  # released between our insert and our read: the client may simply retry
        raise _in_flight("This Idempotency-Key is being processed; retry shortly.")
    if existing.expires_at <= now:  # gone with this request's work, or kept if the request fails
        store.release(session, existing.id)
        return _claim(session, credential_id, key, print_, ttl, lock)
    if existing.request_fingerprint != print_:
        raise Problem(
            422,
            "Idempotency-Key reused",
            "This Idempotency-Key was used with a different request body; use a new key.",
            problem_type="idempotency-key-reused",
        )
    if existing.response_status is not None:
        response = make_response(existing.response_body, existing.response_status)
        response.headers[REPLAYED_HEADER] = "true"
        return response
    # The first attempt's process died mid-request: take the claim over. Like a claim, the take-over holds
    # the row until this request ends: a concurrent retry waits for it.
    if existing.locked_at <= now - lock and store.take_over(session, existing, now):
        return existing.id
    raise _in_flight("A request with this Idempotency-Key is still being processed.")


def _in_flight(detail: str) -> Problem:
    return Problem(
        409, "Request in progress", detail, problem_type="idempotency-in-flight", headers={"Retry-After": "1"}
    )


def _finish(session: Session, record_id: uuid.UUID, response: Response) -> None:
    if not 200 <= response.status_code < 300:
        _release(record_id)
    elif response.is_json:
        # In the request's unit of work: the stored answer commits with the work it describes.
        store.keep_answer(session, record_id, response.status_code, response.get_json())
    else:  # nothing to replay: the work stands, the key is free again
        store.release(session, record_id)


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a POST view (inside its role guard, so the key is scoped per credential)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise Problem(400, "Bad Idempotency-Key", f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.")
        svc, session = services(), request_session()
        claimed = _claim(
            session,
            g.principal.credential_id,
            key,
            fingerprint(request.method, request.path, request.get_data(cache=True)),
            dt.timedelta(hours=svc.settings.idempotency_ttl_hours),
            dt.timedelta(seconds=svc.settings.idempotency_lock_seconds),
        )
        if isinstance(claimed, Response):
            return claimed
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _release(claimed)
            raise
        _finish(session, claimed, response)
        return response

    # The OpenAPI document names the header on every operation that honours it.
    apidoc = copy.deepcopy(getattr(wrapper, "_apidoc", {}))
    apidoc.setdefault("manual_doc", {}).setdefault("parameters", []).append(PARAMETER)
    wrapper._apidoc = apidoc  # type: ignore[attr-defined]
    return wrapper


def _release(record_id: uuid.UUID) -> None:
    """Free the key after a failure: the request's work is dropped (an uncommitted claim with it), and a claim
    already committed is deleted in a fresh unit of work, which the failure cannot roll back, so the client can
    correct the request and retry with the same key. The request's work is dropped first: on SQLite the fresh
    unit would otherwise wait for the request's own write lock."""
    drop_request_work()
    with unit_of_work(services().db) as fresh:
        store.release(fresh, record_id)
