"""Bad input gets a clear 4xx naming what was wrong — never a 500, never a half-written case."""

from __future__ import annotations

import json

import pytest

from tests.conftest import auth
from val.auth.roles import Role


@pytest.fixture
def intake(make_key):
    return make_key(Role.INTAKE)


@pytest.mark.parametrize("path", ["/api/v1/referrals", "/api/v1/referral-batches"])
def test_json_nested_a_thousand_deep_is_a_400(client, intake, path):
    body = "[" * 1000 + "]" * 1000
    response = client.post(path, data=body, content_type="application/json", headers=auth(intake))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", ["/api/v1/referrals", "/api/v1/referral-batches"])
@pytest.mark.parametrize("where", ["top", "inside"])
def test_a_number_of_five_thousand_digits_is_a_400_naming_the_body(
    client, intake, referral_body, path, where
):
    """It was a 500: Python refuses to read an integer of more than 4,300 digits (a ValueError, not a JSON
    decoding error)."""
    huge = "9" * 5000
    if where == "top":
        body = f'{{"children": {huge}}}'
    else:
        body = json.dumps(referral_body()).replace(
            '"children_in_household": 0', f'"children_in_household": {huge}'
        )
        assert huge in body
    if path.endswith("batches"):
        body = f"[{body}]"
    response = client.post(path, data=body, content_type="application/json", headers=auth(intake))
    assert response.status_code in (400, 422) and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"][0]["field"] == "(body)"
    assert "4,300 digits" in response.get_json()["errors"][0]["detail"], "said plainly, not as Python says it"


@pytest.mark.parametrize("text", ["Ale\u0000x", "Ale\ud800x"])
def test_a_nul_or_a_lone_surrogate_in_a_string_is_refused_by_name(client, intake, referral_body, text):
    response = client.post(
        "/api/v1/referrals", json=referral_body(**{"victim.given_name": text}), headers=auth(intake)
    )
    assert response.status_code == 422
    assert {"field": "victim.given_name"}.items() <= response.get_json()["errors"][0].items()


@pytest.mark.parametrize("name", ["\u0000", "a\u0000b", "a\ud871b"])
def test_a_field_name_that_cannot_be_stored_is_quoted_back_safely(client, intake, name):
    """Found by `make fuzz`: a batch with an Idempotency-Key stores its answer, which quoted the bad field
    name with its NUL; PostgreSQL refuses that, and the request was a 500."""
    body = json.dumps([{name: 1}])
    response = client.post(
        "/api/v1/referral-batches",
        data=body,
        content_type="application/json",
        headers=auth(intake, **{"Idempotency-Key": "field-names"}),
    )
    assert response.status_code == 200
    (error,) = response.get_json()["results"][0]["errors"]
    assert "\ufffd" in error["field"] and "\x00" not in error["field"]


def test_a_nul_in_a_query_is_refused_by_name(client, make_key):
    coordinator = make_key(Role.COORDINATOR)
    response = client.get("/api/v1/compliance-points?agency=police%00x", headers=auth(coordinator))
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "agency"


def test_bytes_that_are_not_utf_8_in_a_query_are_not_a_500(client, make_key):
    coordinator = make_key(Role.COORDINATOR)
    response = client.get("/api/v1/compliance-points?agency=police%ED%A0%80", headers=auth(coordinator))
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "agency"


def test_a_timestamp_at_the_end_of_time_is_a_422(client, make_key):
    admin = make_key(Role.ADMIN)
    response = client.get("/api/v1/audit-events?since=9999-12-31T23:59:59-05:00", headers=auth(admin))
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "since"


@pytest.mark.parametrize(
    "instant", ["0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00Z", "1899-12-31T23:00:00Z"]
)
def test_dates_before_1900_are_refused(client, intake, referral_body, instant):
    body = referral_body(
        **{"reported_at": instant, "offence.occurred_at": None, "victim.date_of_birth": "0001-01-01"}
    )
    response = client.post("/api/v1/referrals", json=body, headers=auth(intake))
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields & {"reported_at", "victim.date_of_birth"}


def test_an_empty_grouping_of_the_board_summary_is_refused_by_name(client, make_key):
    """Found by `make fuzz`: `group_by=` was read as no grouping at all, which the document does not allow."""
    board = make_key(Role.BOARD)
    response = client.get(
        "/api/v1/board/compliance-summary?group_by=&from=2026-01-01&to=2026-01-31", headers=auth(board)
    )
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "group_by"


@pytest.mark.parametrize("body", ['{"source": ', "not json", '{"a": 1,}'])
def test_a_body_that_is_not_json_is_a_problem_naming_the_body(client, intake, body):
    response = client.post(
        "/api/v1/referrals", data=body, content_type="application/json", headers=auth(intake)
    )
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"].endswith("/malformed-json") and problem["errors"][0]["field"] == "(body)"
    assert "line 1" in problem["errors"][0]["detail"], "where the JSON broke"


def test_every_422_is_one_problem_type_whether_the_schema_or_a_rule_refused_it(
    client, intake, make_key, referral_body
):
    by_schema = client.post(
        "/api/v1/referrals", json=referral_body(**{"victim.given_name": 7}), headers=auth(intake)
    )
    case = client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake)).get_json()
    before_the_referral = {"type": "charged", "occurred_at": "1999-01-01T00:00:00Z"}
    by_rule = client.post(
        f"/api/v1/cases/{case['id']}/events",
        json=before_the_referral,
        headers=auth(make_key(Role.COORDINATOR)),
    )
    assert by_schema.status_code == by_rule.status_code == 422, by_rule.get_json()
    assert by_schema.get_json()["type"] == by_rule.get_json()["type"]
    assert by_rule.get_json()["type"].endswith("/validation")
