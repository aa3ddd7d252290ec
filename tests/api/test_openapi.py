"""The OpenAPI document tells the truth: who may call each operation, an example for every body, the closed
lists as enums, the bounds the server enforces, and every media type it answers with."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import auth, this_month
from tests.contract import contract_problems
from val.auth.roles import Role
from val.settings import load_settings

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    return client.get("/openapi.json").get_json()


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _schema(spec, name):
    return spec["components"]["schemas"][name]


def _enum(spec, prop):
    """A property's closed list: each is a named component the property refers to (or null, when nullable)."""
    reference = (prop.get("allOf") or prop["anyOf"])[0]["$ref"]
    return _schema(spec, reference.rsplit("/", 1)[-1])["enum"]


def test_every_operation_names_the_roles_that_may_call_it(app, spec):
    guarded = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            handler = getattr(getattr(view, "view_class", None), method.lower(), view)
            # /metrics is for Prometheus, not an API client: outside the document by design.
            if hasattr(handler, "_val_roles") and rule.rule.startswith("/api/"):
                path = rule.rule.replace("<uuid:", "{").replace(">", "}")
                guarded[f"{method} {path}"] = sorted(handler._val_roles)
    # GOV.UK Notify's receipts carry the token set in Notify, not a VAL credential.
    notify = {name for name, op in _operations(spec) if op.get("security") == [{"notify_receipts": []}]}
    assert notify == {"POST /api/v1/notify/receipts"}
    guarded_operations = [
        (name, op) for name, op in _operations(spec) if op.get("security") != [] and name not in notify
    ]
    assert {name: op.get("x-roles") for name, op in guarded_operations} == guarded
    for name, operation in guarded_operations:
        assert operation["description"].endswith(f"Roles: {', '.join(operation['x-roles'])}."), name
    public = {name for name, op in _operations(spec) if op.get("security") == []}
    assert public == {"GET /api/v1/oruk/services", "GET /api/v1/oruk/services/{service_id}"}


def test_every_request_body_has_an_example(spec):
    for name, operation in _operations(spec):
        for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
            if media_type == "application/json":
                assert "example" in content, name


def test_the_closed_lists_are_enums(app, spec):
    settings = load_settings()
    victim = _schema(spec, "Victim")
    assert _enum(spec, victim["properties"]["policing_area"]) == list(settings.policing_areas)
    catalogue = app.extensions["val"].rulebook.catalogue
    event = _schema(spec, "EventIn")
    assert _enum(spec, event["properties"]["type"]) == list(catalogue.event_types)
    details = _schema(spec, "EventDetails")
    assert set(details["properties"]) == {"custody_months", "violent_or_sexual", "note_ref"}
    assert details["additionalProperties"] is False
    cases = {p["name"]: p for p in spec["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert "domestic_abuse" in cases["crime_type"]["schema"]["enum"]
    assert "idva" in cases["service"]["schema"]["enum"]
    points = {p["name"]: p for p in spec["paths"]["/api/v1/compliance-points"]["get"]["parameters"]}
    assert [a for a in points["agency"]["schema"]["enum"] if a] == sorted(
        {rule.agency for rule in catalogue.points}
    )
    outcome = _schema(spec, "Outcome")
    assert set(_enum(spec, outcome["properties"]["outcome"])) >= {"in_support", "supported"}


def test_dates_carry_the_range_the_server_enforces(spec):
    date_of_birth = _schema(spec, "Victim")["properties"]["date_of_birth"]
    assert date_of_birth["format"] == "date" and "1900-01-01 and 2100-12-31" in date_of_birth["description"]


@pytest.mark.parametrize("path", ["/api/v1/referrals", "/api/v1/referral-batches"])
def test_the_idempotency_key_header_is_documented_with_its_bounds(spec, path):
    (header,) = [p for p in spec["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key"]
    assert (
        header["in"] == "header"
        and header["schema"]["minLength"] == 1
        and header["schema"]["maxLength"] == 255
    )


@pytest.mark.parametrize("figure", ["compliance-summary", "commissioning-return"])
def test_each_board_figure_has_a_json_path_and_a_csv_path(spec, figure):
    def content(path):
        return set(spec["paths"][path]["get"]["responses"]["200"]["content"])

    # One media type per operation: a generated client parses the answer by the operation's declared type.
    assert content(f"/api/v1/board/{figure}") == {"application/json"}
    assert content(f"/api/v1/board/{figure}.csv") == {"text/csv"}


@pytest.mark.parametrize(
    ("path", "csv_path"),
    [
        ("/api/v1/board/compliance-summary", "/api/v1/board/compliance-summary.csv"),
        ("/api/v1/board/commissioning-return", "/api/v1/board/commissioning-return.csv"),
    ],
)
def test_format_csv_on_the_json_path_names_the_csv_path(client, make_key, path, csv_path):
    board = make_key(Role.BOARD)
    answer = client.get(f"{path}?{this_month()}&format=csv", headers=auth(board))
    assert answer.status_code == 422
    (error,) = answer.get_json()["errors"]
    assert error["field"] == "format" and csv_path in error["detail"]
    on_csv = client.get(f"{csv_path}?{this_month()}&format=csv", headers=auth(board))
    assert on_csv.status_code == 422 and on_csv.get_json()["errors"] == [
        {"field": "format", "detail": "Unknown field."}
    ]


def test_the_suites_contract_check_catches_an_answer_that_breaks_the_document(app, client):
    """Every test's answers go through tests/contract.py; here it is shown a broken one."""
    spec_text = client.get("/openapi.json").get_data(as_text=True)
    alert = {"id": str(uuid.uuid4()), "kind": "made_up", "detail": "x"}
    answer = app.response_class(
        json.dumps({"items": [alert], "next_cursor": None}), mimetype="application/json"
    )
    problems = contract_problems(app, spec_text, "GET", "/api/v1/alerts", answer)
    assert any("made_up" in p for p in problems), problems
    assert any("created_at" in p and "required" in p for p in problems), problems
    whole = {**alert, "kind": "route_unassigned", "case_id": None, "case_reference": None}
    whole |= {"assignment_id": None, "delivery_id": None, "created_at": "2026-12-01T10:00:00Z"}
    kept = app.response_class(
        json.dumps({"items": [{**whole, "resolved_at": None}], "next_cursor": None}),
        mimetype="application/json",
    )
    assert contract_problems(app, spec_text, "GET", "/api/v1/alerts", kept) == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_closed_list_is_a_named_component_and_nullable_objects_have_one_idiom(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    schemas = spec["components"]["schemas"]
    inline, other_idioms = [], []
    for name, schema in schemas.items():
        for prop, body in schema.get("properties", {}).items():
            holder = body.get("items", body) if body.get("type") == "array" else body
            if "enum" in holder:
                inline.append(f"{name}.{prop}")
            # A nullable reference is written one way: `anyOf: [{$ref}, {type: null}]`.
            if "nullable" in body or ("anyOf" in body and body["anyOf"][1:] != [{"type": "null"}]):
                other_idioms.append(f"{name}.{prop}")
    assert inline == [] and other_idioms == []
    assert schemas["CaseStatus"] == {
        "type": "string",
        "enum": ["triaged", "awaiting_consent", "no_referral", "routed", "in_support", "closed"],
    }
    repeat = schemas["CoordinatorCase"]["properties"]["repeat"]
    assert repeat["anyOf"] == [{"$ref": "#/components/schemas/Repeat"}, {"type": "null"}]
