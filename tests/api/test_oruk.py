"""The directory as Open Referral UK services: public, no personal data, conformant to the standard."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema_rs
import pytest

from tests.conftest import auth
from val.auth.roles import Role

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "oruk" / "service.schema.json").read_text())
SERVICES = "/api/v1/oruk/services"


def _validator(definition: str):
    schema = copy.deepcopy(SCHEMA)
    schema["$ref"] = f"#/$defs/{definition}"
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def _errors(definition: str, document) -> list[str]:
    return [f"{e.instance_path}: {e.message}" for e in _validator(definition).iter_errors(document)]


def test_every_commissioned_service_is_published_without_a_credential(client):
    listed = client.get(f"{SERVICES}?per_page=200")
    assert listed.status_code == 200 and "Authorization" not in listed.request.headers
    body = listed.get_json()
    assert _errors("page", body) == []
    names = {s["name"] for s in body["contents"]}
    assert any("IDVA" in name and "Women's Aid" in name for name in names)
    idva = next(s for s in body["contents"] if "IDVA" in s["name"])
    assert idva["minimum_age"] == 16 and idva["status"] == "active"
    assert {a["name"] for a in idva["service_areas"]} >= {"Herefordshire", "Telford and Wrekin"}
    assert idva["contacts"][0]["name"] == "Victim Advice Line"


def test_one_service_by_id_and_an_unknown_one_is_404(client):
    first = client.get(SERVICES).get_json()["contents"][0]
    one = client.get(f"{SERVICES}/{first['id']}")
    assert one.status_code == 200 and one.get_json() == first and _errors("service", first) == []
    missing = client.get(f"{SERVICES}/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_pages_are_the_standard_envelope_and_ids_are_stable(client):
    whole = client.get(f"{SERVICES}?per_page=200").get_json()
    first, second = (client.get(f"{SERVICES}?per_page=5&page={n}").get_json() for n in (1, 2))
    assert first["first_page"] and not first["last_page"] and first["size"] == 5
    assert first["total_items"] == whole["total_items"] and not second["first_page"]
    assert [s["id"] for s in first["contents"] + second["contents"]] == [
        s["id"] for s in whole["contents"][:10]
    ]
    assert client.get(f"{SERVICES}?per_page=200").get_json() == whole
    assert client.get(f"{SERVICES}?page=0").status_code == 422


def test_nothing_personal_is_published_even_with_cases_in_the_system(client, make_key, referral_body):
    intake = make_key(Role.INTAKE)
    client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake))
    published = client.get(f"{SERVICES}?per_page=200").get_data(as_text=True)
    for personal in ("Quinterro", "Alexandra", "+447700900123", "WR1 2AB", "VAL-"):
        assert personal not in published


@pytest.mark.parametrize(
    "broken",
    [
        {"name": "no id", "status": "active"},
        {"id": "not-a-uuid", "name": "x", "status": "active"},
        {"id": "6f1d3c2e-5b7a-4c1e-9a0d-3e2f1b4c5d6e", "name": "x", "status": "open"},
    ],
)
def test_the_conformance_schema_rejects_what_the_standard_rejects(broken):
    assert _errors("service", broken)
