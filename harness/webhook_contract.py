"""Webhooks held to the contract: every payload a test receives is checked against the OpenAPI document's
`webhooks` (the schema of its event), as a provider's generated client would read it."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema_rs


@cache
def _document() -> dict[str, Any]:
    from val.app import create_app

    app = create_app(overrides={"database_url": "sqlite://"})
    try:
        document: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    finally:
        app.extensions["val"].db.dispose()
    return document


@cache
def _validator(event: str) -> Any:
    """The schema of one event's payload, built once (a receiver checks every webhook it gets)."""
    document = _document()
    schema = document["webhooks"][event]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})


def problems(body: bytes) -> list[str]:
    """What is wrong with a webhook's body by the contract; empty when it is what the document says."""
    try:
        payload = json.loads(body)
        validator = _validator(payload["type"])
    except (ValueError, KeyError, TypeError) as error:
        return [f"not a documented webhook: {error!r}"]
    return [f"{payload['type']}: {error.message}" for error in validator.iter_errors(payload)]
