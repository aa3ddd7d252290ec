"""One pagination convention for every list (docs/casework.md): `limit` and an opaque `cursor` in, `{"items": [...],
"next_cursor": … | null}` and a `Link: <…>; rel="next"` header out."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, jsonify, request
from marshmallow import fields, validate

from val.errors import BadCursor
from val.http.output import OutputSchema
from val.http.schemas import StrictSchema


class PageQuerySchema(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


def _encode_value(value: Any) -> list[Any]:
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, uuid.UUID):
        return ["u", str(value)]
    if isinstance(value, bool | int | str) or value is None:
        return ["v", value]
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _decode_value(pair: Any) -> Any:
    kind, raw = pair
    if kind == "t":
        return dt.datetime.fromisoformat(raw)
    if kind == "d":
        return dt.date.fromisoformat(raw)
    if kind == "u":
        return uuid.UUID(raw)
    if kind == "v" and (isinstance(raw, bool | int | str) or raw is None):
        return raw
    raise ValueError(kind)


def encode_cursor(values: list[Any]) -> str:
    text = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """The position a cursor stands for; a cursor that was not ours is a 400 naming the field."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = [_decode_value(pair) for pair in json.loads(text)]
    except (ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor() from None
    return values


def _public_base() -> str:
    """The configured public base URL, or nothing (a relative link): never the Host header, which a client
    chooses and which would put its host into links other clients follow."""
    base: str = current_app.extensions["val"].settings.public_base_url
    return base.rstrip("/")


def page_response(
    items: list[Any], next_after: list[Any] | None
) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The body, status and headers of one page (items dumped by the view's page schema); the Link header
    repeats the request with the next cursor."""
    next_cursor = encode_cursor(next_after) if next_after is not None else None
    headers: dict[str, str] = {}
    if next_cursor is not None:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        query = urlencode([*args, ("cursor", next_cursor)])
        headers["Link"] = f'<{_public_base()}{request.path}?{query}>; rel="next"'
    return {"items": items, "next_cursor": next_cursor}, 200, headers


def page_schema(item_schema: Any, name: str) -> type:
    """The OpenAPI shape of a page of `item_schema`."""
    return OutputSchema.from_dict(
        {"items": fields.List(fields.Nested(item_schema)), "next_cursor": fields.String(allow_none=True)},
        name=name,
    )


def page_json(items: list[dict[str, Any]], next_after: list[Any] | None) -> Response:
    """A page whose items are already in their JSON form: answered as it is, without the view's schema
    dump (the work queue, read all day; its items are held equal to the schema's by a test)."""
    body, status, headers = page_response(items, next_after)
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers)
    return response
