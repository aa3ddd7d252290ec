"""The blueprint every feature API uses: its body parser answers wrong media types and malformed JSON
with precise problems instead of webargs' generic ones."""

from __future__ import annotations

import re
from typing import Any, NoReturn

import marshmallow as ma
from flask import Request
from flask_smorest import Blueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from val.http.problems import Problem


class StrictJsonParser(FlaskParser):
    # webargs ignores unknown query parameters by default; an unknown parameter is a client's mistake.
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        if req.content_length and not req.is_json:
            raise Problem(415, "Unsupported Media Type", "Send the body as application/json.")
        try:
            return super().load_json(req, schema)
        except RecursionError:
            raise _malformed("The body is nested too deeply.") from None
        except ValueError:  # not a JSONDecodeError (webargs handles those): a number longer than Python reads
            raise _malformed(TOO_LONG_A_NUMBER) from None

    def _handle_invalid_json_error(
        self, error: Exception, req: Request, *args: Any, **kwargs: Any
    ) -> NoReturn:
        raise _malformed(_not_json(error))


class ValRequest(Request):
    """Whoever reads the body as JSON first (the idempotency check, or the view), a body that is not JSON is
    the same problem."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if e is None:  # not sent as JSON at all
            raise Problem(415, "Unsupported Media Type", "Send the body as application/json.")
        raise _malformed(_not_json(e))


TOO_LONG_A_NUMBER = "The body is not JSON VAL can read: a number in it has more than 4,300 digits."


def _not_json(error: BaseException) -> str:
    where: Any = getattr(error, "__cause__", None) or error
    position = f" (line {where.lineno}, column {where.colno})" if hasattr(where, "lineno") else ""
    return f"The body is not valid JSON{position}."


def _malformed(detail: str) -> Problem:
    """A body that is not JSON at all: named as the field `(body)`, like every other bad input."""
    return Problem(
        400,
        "Malformed JSON",
        detail,
        problem_type="malformed-json",
        errors=[{"field": "(body)", "detail": detail}],
    )


# What a view hands flask-smorest to serialise with the operation's response schema: a mapping, an object whose
# attributes the schema reads, or (body, status[, headers]).
ViewAnswer = Any


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = StrictJsonParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(_roles_in_description)

    def _store_endpoint_docs(
        self, endpoint: str, obj: Any, parameters: Any, tags: Any, **options: Any
    ) -> None:
        super()._store_endpoint_docs(endpoint, obj, parameters, tags, **options)
        # A stable operationId for each operation, so a generated client has functions a person can read
        # (`get_case_detail`, not `get_api_v1_cases_case_id`): the method and the view's class name.
        for method, info in self._docs[endpoint].items():
            if method != "parameters":
                info.setdefault("manual_doc", {}).setdefault("operationId", f"{method}_{_snake(endpoint)}")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# The ETag a case answer carries, declared so clients know to read it (If-Match on a safe-contact change).
ETAG_HEADER = {
    "ETag": {
        "description": "The case's version; send it back in If-Match to change safe contact details",
        "schema": {"type": "string"},
    }
}


def _roles_in_description(doc: dict[str, Any], doc_info: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Each operation's description ends with the roles that may call it (`x-roles`, set by require_roles)."""
    roles = doc_info.get("manual_doc", {}).get("x-roles")
    if roles:
        docstring = doc_info["docstring"]
        said = docstring.get("description")
        docstring["description"] = f"{said}\n\n" if said else ""
        docstring["description"] += f"Roles: {', '.join(roles)}."
    return doc
