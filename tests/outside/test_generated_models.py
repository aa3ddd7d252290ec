"""The contract as two more generators read it: datamodel-code-generator (`--strict-nullable`) and
openapi-generator's python client. A coordinator's day and a provider's day are run against VAL, and every
answer is parsed into the model each generator made for that operation's answer — a close or a contact change
must never raise in a client after the server applied it (a client would send it again)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import auth, now_iso
from val.auth.roles import Role

BIN = Path(sys.executable).parent
JSON = "application/json"


class Day:
    """Requests as a client makes them, each answer kept with the operation it answers."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.answers: list[tuple[str, str, int, Any]] = []

    def call(self, method: str, template: str, key: str, json_body: Any = None, **ids: str) -> Any:
        path = template.format(**ids)
        answer = self.client.open(path, method=method.upper(), json=json_body, headers=auth(key))
        assert answer.status_code < 400, (method, path, answer.get_json())
        self.answers.append((template, method, answer.status_code, answer.get_json()))
        return answer


def _schema_name(spec: dict[str, Any], template: str, method: str, status: int) -> str:
    schema = spec["paths"][template][method]["responses"][str(status)]["content"][JSON]["schema"]
    return str(schema["$ref"]).rsplit("/", 1)[-1]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_two_more_generators_parse_every_answer_of_a_coordinators_and_a_providers_day(
    app, client, make_key, referral_body, tmp_path, monkeypatch
):
    spec = client.get("/openapi.json").get_json()
    (tmp_path / "openapi.json").write_text(json.dumps(spec))
    _generate(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    pydantic_models = importlib.import_module("dm_models")
    ogen_models = importlib.import_module("val_ogen.models")

    day = Day(client)
    intake, jo = make_key(Role.INTAKE), make_key(Role.COORDINATOR, name="jo.generated")
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    body = referral_body(**{"reported_at": now_iso(30), "consent.recorded_at": now_iso(30)})
    case = day.call("post", "/api/v1/referrals", intake, body).get_json()
    ids = {"case_id": case["id"]}
    offer = next(r for r in case["routes"] if r["service"] == "idva")["id"]
    day.call("get", "/api/v1/cases", jo)
    day.call("patch", "/api/v1/cases/{case_id}", jo, {"owner": "me"}, **ids)
    day.call(
        "post",
        "/api/v1/cases/{case_id}/contact-attempts",
        jo,
        {"at": now_iso(), "channel": "phone", "outcome": "reached"},
        **ids,
    )
    day.call("post", "/api/v1/cases/{case_id}/notes", jo, {"text": "Safe after 18:00."}, **ids)
    read = day.call("get", "/api/v1/cases/{case_id}", jo, **ids)
    changed = client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"contact": {"safe_to_call": False}},
        headers=auth(jo, **{"If-Match": read.headers["ETag"]}),
    )
    day.answers.append(("/api/v1/cases/{case_id}", "patch", changed.status_code, changed.get_json()))
    day.call("get", "/api/v1/provider/referrals", idva)
    day.call("get", "/api/v1/provider/referrals/{assignment_id}", idva, assignment_id=offer)
    day.call("post", "/api/v1/provider/referrals/{assignment_id}/accept", idva, assignment_id=offer)
    day.call("get", "/api/v1/provider/referrals/{assignment_id}", idva, assignment_id=offer)
    day.call("get", "/api/v1/provider/endpoint", idva)
    day.call("get", "/api/v1/provider/deliveries", idva)
    day.call("get", "/api/v1/cases/{case_id}/timeline", jo, **ids)
    close = {"outcome": "supported", "at": now_iso(), "withdraw_open": True}
    day.call("post", "/api/v1/cases/{case_id}/close", jo, close, **ids)
    day.call(
        "post", "/api/v1/cases/{case_id}/reopen", jo, {"reason": "Came back.", "offer_again": False}, **ids
    )
    day.call("get", "/api/v1/alerts", jo)

    parsed = 0
    for template, method, status, answer in day.answers:
        name = _schema_name(spec, template, method, status)
        getattr(pydantic_models, name).model_validate(answer)  # raises on any answer the model refuses
        getattr(ogen_models, name).from_dict(answer)
        parsed += 1
    assert parsed == len(day.answers) == 17


def _generate(into: Path) -> None:
    spec = str(into / "openapi.json")
    runs = [
        [
            str(BIN / "datamodel-codegen"),
            "--input",
            spec,
            "--input-file-type",
            "openapi",
            "--strict-nullable",
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--formatters",
            "black",
            "--output",
            str(into / "dm_models.py"),
        ],
        [
            str(BIN / "openapi-generator-cli"),
            "generate",
            "-i",
            spec,
            "-g",
            "python",
            "-o",
            str(into / "ogen"),
            "--package-name",
            "val_ogen",
        ],
    ]
    for command in runs:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (into / "val_ogen").symlink_to(into / "ogen" / "val_ogen")
