"""POST /api/v1/referral-batches: each good record accepted, each bad one reported by line and field."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests.conftest import auth
from val.auth.roles import Role
from val.cases.models import Case
from val.db.session import unit_of_work

URL = "/api/v1/referral-batches"


def _records(referral_body, n=3):
    return [referral_body(**{"source.reference": f"B/{i}"}) for i in range(n)]


def test_a_json_array_batch_reports_every_record(client, make_key, referral_body, database):
    records = _records(referral_body)
    records.insert(1, referral_body(**{"source.reference": "BAD/1", "victim.policing_area": "atlantis"}))
    response = client.post(URL, json=records, headers=auth(make_key(Role.INTAKE)))
    assert response.status_code == 200
    result = response.get_json()
    assert (result["received"], result["created"], result["duplicates"], result["rejected"]) == (4, 3, 0, 1)
    bad = result["results"][1]
    assert bad["line"] == 2 and bad["outcome"] == "rejected"
    assert bad["errors"][0]["field"] == "victim.policing_area"
    assert all(r["reference"].startswith("VAL-") for r in result["results"] if r["outcome"] == "created")


def test_an_ndjson_batch_numbers_records_by_line_and_survives_broken_lines(client, make_key, referral_body):
    lines = [json.dumps(r) for r in _records(referral_body, 2)]
    body = "\n".join([lines[0], "{broken", "", lines[1], json.dumps([1])]) + "\n"
    response = client.post(
        URL, data=body, content_type="application/x-ndjson", headers=auth(make_key("intake"))
    )
    result = response.get_json()
    assert [(r["line"], r["outcome"]) for r in result["results"]] == [
        (1, "created"),
        (2, "rejected"),
        (4, "created"),
        (5, "rejected"),
    ]


def test_resending_a_batch_creates_no_new_cases(client, make_key, referral_body, database):
    key = make_key(Role.INTAKE)
    records = _records(referral_body)
    client.post(URL, json=records, headers=auth(key))
    again = client.post(URL, json=records, headers=auth(key)).get_json()
    assert (again["created"], again["duplicates"]) == (0, 3)
    with unit_of_work(database) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 3


def test_a_batch_body_that_is_not_an_array_or_ndjson_is_a_clear_4xx(client, make_key):
    key = make_key(Role.INTAKE)
    assert client.post(URL, json={"not": "a list"}, headers=auth(key)).status_code == 400
    assert client.post(URL, data="x", content_type="text/csv", headers=auth(key)).status_code == 415


def test_a_batch_may_be_larger_than_one_referral_may_be(client, make_key, referral_body):
    records = [
        referral_body(**{"source.reference": f"BIG/{i}", "offence.description": "d" * 1500})
        for i in range(60)
    ]
    assert len(json.dumps(records)) > 65536
    response = client.post(URL, json=records, headers=auth(make_key(Role.INTAKE)))
    assert response.status_code == 200 and response.get_json()["created"] == 60


def test_batches_need_the_intake_or_coordinator_role(client, make_key, referral_body):
    assert client.post(URL, json=[], headers=auth(make_key(Role.BOARD))).status_code == 403
    assert client.post(URL, json=[]).status_code == 401
