"""RFC 9457 problem details: the one error shape every client sees."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Response, current_app, has_app_context, has_request_context, json, request
from werkzeug.exceptions import HTTPException

from val.errors import DomainError
from val.http.output import OutputSchema
from val.http.problem_types import slug_of

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Each problem's `type` opens the page that explains it (GET /problems/{type}), under `public_base_url` when set
# (RFC 9457 prefers an absolute URI), else relative to the request.
PROBLEM_TYPE_PATH = "/problems/"


class Problem(HTTPException):
    """Raise from any layer below the views to answer with a problem+json body."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        problem_type: str | None = None,
        errors: list[dict[str, str]] | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.detail = detail
        self.problem_type = problem_type
        self.errors = errors
        self.extra = dict(extra or {})
        self.extra_headers = dict(headers or {})


def flatten_messages(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """Turn marshmallow's nested messages into one entry per bad field, named by its dotted path."""
    if isinstance(messages, Mapping):
        out: list[dict[str, str]] = []
        for key, value in messages.items():
            if key == "_schema":
                out.extend(flatten_messages(value, prefix))
                continue
            path = f"{prefix}.{key}" if prefix else str(key)
            out.extend(flatten_messages(value, path))
        return out
    if isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            return [{"field": prefix or "(body)", "detail": m} for m in messages]
        out = []
        for item in messages:
            out.extend(flatten_messages(item, prefix))
        return out
    return [{"field": prefix or "(body)", "detail": str(messages)}]


def _type_base() -> str:
    val = current_app.extensions.get("val") if has_app_context() else None
    public = val.settings.public_base_url.rstrip("/") if val is not None else ""
    return public + PROBLEM_TYPE_PATH


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    problem_type: str | None = None,
    errors: list[dict[str, str]] | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": _type_base() + (problem_type or slug_of(title)),
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if has_request_context():
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    body.update(extra or {})
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem_for_http_exception(error: HTTPException) -> Response:
    """Every HTTPException, including webargs' 422 and werkzeug's 404/405/413, becomes a problem."""
    if isinstance(error, Problem):
        return problem_response(
            error.code or 500,
            error.title,
            error.detail,
            problem_type=error.problem_type,
            errors=error.errors,
            extra=error.extra,
            headers=error.extra_headers,
        )
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if status == 422 and messages is not None:
        # webargs nests messages under the location ("json", "query"); the field path is what matters.
        if (
            isinstance(messages, Mapping)
            and len(messages) == 1
            and next(iter(messages))
            in (
                "json",
                "query",
                "headers",
                "form",
                "view_args",
                "path",
            )
        ):
            messages = next(iter(messages.values()))
        return problem_response(
            422,
            "Validation failed",
            "One or more fields are invalid; see errors.",
            problem_type="validation",
            errors=flatten_messages(messages),
        )
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    title = error.name
    detail = data.get("message") or error.description
    return problem_response(status, title, detail, headers=headers)


class ProblemErrorSchema(OutputSchema):
    field = ma.fields.String(metadata={"description": "The bad field, by its dotted path"})
    detail = ma.fields.String()


class ProblemSchema(OutputSchema):
    """RFC 9457 problem details: every error VAL answers, as `application/problem+json`."""

    optional = ("detail", "instance", "errors", "rule")

    type = ma.fields.String(
        metadata={"description": "The kind of problem: a URI reference to the page that explains it (GET it)"}
    )
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    instance = ma.fields.String(metadata={"description": "The path that was asked for"})
    errors = ma.fields.List(
        ma.fields.Nested(ProblemErrorSchema),
        metadata={"description": "Each bad field, when input was refused"},
    )
    rule = ma.fields.String(
        metadata={"description": "The safety rule that refused a message to a victim (docs/victims.md)"}
    )


def domain_problem(error: DomainError) -> Response:
    """The answer to a refusal a service raised."""
    errors = [{"field": error.field, "detail": error.detail}] if error.field else None
    # Every 422 is one problem type, whether the schema or a rule behind it refused the input.
    kind = "validation" if error.status == 422 else error.problem_type
    return problem_response(
        error.status, error.title, error.detail, errors=errors, problem_type=kind, extra=error.extra
    )
