"""What each problem type VAL answers with means, and what to do about it: the page its `type` URL opens
(GET /problems/{type}). Types VAL names itself are described here; the standard HTTP ones (not-found,
method-not-allowed, …) fall back to their status's own description."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.exceptions import default_exceptions
from werkzeug.http import HTTP_STATUS_CODES


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    means: str
    to_do: str


_VAL_TYPES = (
    ProblemType(
        "validation",
        422,
        "Validation failed",
        "A field is missing, of the wrong kind, or breaks a rule; `errors` names each field and why.",
        "Correct the fields named in `errors` and send the request again. Nothing was written.",
    ),
    ProblemType(
        "malformed-json",
        400,
        "Malformed JSON",
        "The body is not JSON VAL can read (or a number in it is too long to be one).",
        "Send a JSON body with `Content-Type: application/json`.",
    ),
    ProblemType(
        "unauthorized",
        401,
        "Unauthorized",
        "No credential was sent, or the key or sign-in token was refused; `detail` says why.",
        "Send `Authorization: Bearer <key or token>`; a revoked key or an expired token needs a new one.",
    ),
    ProblemType(
        "forbidden",
        403,
        "Forbidden",
        "The credential is valid but its role may not do this (or the person is disabled).",
        "Use a credential of a role the operation lists (its description ends with `Roles:`).",
    ),
    ProblemType(
        "authentication-throttled",
        429,
        "Too Many Requests",
        "Too many failed authentications came from this address; a valid credential is never refused.",
        "Wait for `Retry-After` seconds, and check the key your system sends.",
    ),
    ProblemType(
        "conflict",
        409,
        "Conflict",
        "The record is not in a state that allows this (e.g. a closed case, an answered offer).",
        "Read the record again, then decide; `detail` and `errors` name what is in the way.",
    ),
    ProblemType(
        "precondition-failed",
        412,
        "Precondition Failed",
        "The case changed since the ETag you sent in If-Match.",
        "GET the case again, check what changed, and send the change with its new ETag.",
    ),
    ProblemType(
        "precondition-required",
        428,
        "Precondition Required",
        "Changing safe contact details needs If-Match with the case's ETag.",
        "GET the case and send its ETag in If-Match.",
    ),
    ProblemType(
        "idempotency-in-flight",
        409,
        "Conflict",
        "A request with this Idempotency-Key is still being processed.",
        "Wait a moment and send it again with the same key: you will get its answer.",
    ),
    ProblemType(
        "idempotency-key-reused",
        422,
        "Idempotency-Key reused",
        "This Idempotency-Key was used before for a different request.",
        "Use a new key for a new request; the same key only for the same request sent again.",
    ),
    ProblemType(
        "bad-cursor",
        400,
        "Bad cursor",
        "The `cursor` is not one VAL gave for this list (or it has expired).",
        "Start again from the first page, then follow `next_cursor`.",
    ),
    ProblemType(
        "database-unavailable",
        503,
        "Service Unavailable",
        "VAL could not reach its database; nothing of the request was kept.",
        "Send the same request again after `Retry-After` seconds (with the same Idempotency-Key).",
    ),
    ProblemType(
        "sign-in-unavailable",
        503,
        "Service Unavailable",
        "The identity provider's signing keys cannot be fetched and none are cached.",
        "Try again shortly; keys still work meanwhile.",
    ),
    ProblemType(
        "message-refused",
        409,
        "Conflict",
        "The safety rule refused a message to a victim; `rule` names the rule and `detail` says why "
        "(consent, a child, an unsafe last contact, a phone the suspect knows, a missing number or address).",
        "Nothing was sent or queued. Contact the victim another way, or change what the rule read (with care) "
        "and ask again.",
    ),
    ProblemType(
        "request-timeout",
        408,
        "Request Timeout",
        "The request was not sent whole within `request_read_seconds`.",
        "Send the request again, whole and at once.",
    ),
)
VAL_TYPES = {t.slug: t for t in _VAL_TYPES}


def slug_of(title: str) -> str:
    return "-".join(title.lower().replace("'", "").split())


def described(slug: str) -> ProblemType | None:
    """The type's description; a standard HTTP status's own for types VAL does not name itself."""
    if slug in VAL_TYPES:
        return VAL_TYPES[slug]
    for status, error in default_exceptions.items():
        name = HTTP_STATUS_CODES.get(status)
        if name and slug_of(name) == slug:
            return ProblemType(slug, status, name, str(error.description), "See `detail` in the answer.")
    return None


def every_type() -> list[ProblemType]:
    standard = [described(slug_of(HTTP_STATUS_CODES[s])) for s in sorted(default_exceptions) if s >= 400]
    return [*_VAL_TYPES, *(t for t in standard if t is not None and t.slug not in VAL_TYPES)]
