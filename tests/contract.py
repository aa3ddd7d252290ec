"""Every JSON answer a test receives is held to the OpenAPI document: the fields it lists as required are
there, enums hold every value sent, nested objects have their declared shape. A client generated from the
document (openapi-python-client) fails on any answer that breaks it, so a test that reaches an unusual state
(an anonymised case, an offer not yet accepted, a withdrawn referral) checks the contract there too."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jsonschema_rs
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

JSON_TYPES = ("application/json", "application/problem+json")
_RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects as JSON Schema: `nullable` becomes a null type."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        if isinstance(node.get("type"), str):
            out["type"] = [node["type"], "null"]
        else:  # `allOf: [{$ref}], nullable: true`: the object, or null
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@cache
def _spec(spec_text: str) -> dict[str, Any]:
    return _as_json_schema(json.loads(spec_text))


@cache
def _validator(spec_text: str, path: str, method: str, status: int, media: str) -> Any:
    spec = _spec(spec_text)
    schema = _documented_schema(spec, path, method, status, media)
    if schema is None:
        return None
    # The spec's components ride along, so each `#/components/...` reference resolves inside the document.
    return jsonschema_rs.Draft7Validator({"allOf": [schema], "components": spec["components"]})


def _documented_schema(spec: dict[str, Any], path: str, method: str, status: int, media: str) -> Any:
    operation = spec["paths"].get(path, {}).get(method)
    if operation is None:
        return None
    responses = operation.get("responses", {})
    answer = responses.get(str(status)) or responses.get("default")
    if answer is None:
        return None
    if "$ref" in answer:
        answer = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    return answer.get("content", {}).get(media, {}).get("schema")


def contract_problems(app: Flask, spec_text: str, method: str, url_path: str, response: TestResponse) -> list:
    """How a JSON answer breaks the document's schema for its operation and status (empty when it keeps it,
    or when the document declares no JSON schema for it)."""
    media = (response.mimetype or "").lower()
    if media not in JSON_TYPES or not response.data:
        return []
    try:
        rule, _ = app.url_map.bind("localhost").match(url_path, method=method, return_rule=True)
    except HTTPException:
        return []
    path = _RULE_PARAMETER.sub(r"{\1}", rule.rule)
    validator = _validator(spec_text, path, method.lower(), response.status_code, media)
    if validator is None:
        return []
    body = json.loads(response.data)
    return [
        f"{'/'.join(map(str, e.instance_path)) or '(answer)'}: {e.message}"
        for e in validator.iter_errors(body)
    ]


class ContractClient(FlaskClient):
    """The test client, checking each answer against the OpenAPI document as it comes back."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        request = response.request
        if request.path != "/openapi.json":
            problems = contract_problems(
                self.application, _spec_text(self.application), request.method, request.path, response
            )
            assert not problems, f"{request.method} {request.path} → {response.status_code} breaks the " + (
                "OpenAPI document:\n" + "\n".join(problems[:10])
            )
        return response


def _spec_text(app: Flask) -> str:
    cached = app.config.get("VAL_TEST_OPENAPI")
    if cached is None:
        cached = FlaskClient(app).get("/openapi.json").get_data(as_text=True)
        app.config["VAL_TEST_OPENAPI"] = cached
    return cached
