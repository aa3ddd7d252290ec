"""Coordinator case view, health and docs, and the rule that every other endpoint needs a credential."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from tests.api.readiness import checked
from tests.conftest import auth, this_month
from val.app import create_app
from val.audit.models import AuditEvent
from val.auth.roles import Role
from val.db.session import unit_of_work


def test_a_coordinator_reads_the_whole_case_and_the_read_is_audited(
    client, make_key, referral_body, database
):
    created = client.post(
        "/api/v1/referrals", json=referral_body(), headers=auth(make_key(Role.INTAKE))
    ).get_json()
    response = client.get(
        f"/api/v1/cases/{created['id']}",
        headers=auth(make_key(Role.COORDINATOR), **{"X-Request-Id": "trace-42"}),
    )
    assert response.status_code == 200
    case = response.get_json()
    for key in ("id", "reference", "status", "triage", "compliance_points"):
        assert case[key] == created[key]
    # The sender's view of each route is the coordinator's, less a provider's own words on a decline.
    assert [{k: v for k, v in r.items() if k != "decline_reason"} for r in case["routes"]] == created[
        "routes"
    ]
    assert case["victim"]["date_of_birth"] == "1992-03-01"
    assert case["victim"]["contact"]["safe_to_call"] is True
    assert case["offence"]["description"] == "Assault with injury"
    assert case["risk"]["yes_count"] == 15
    assert case["source"] == {"system": "police-rms", "reference": "22/004512/26"}
    assert response.headers["X-Request-Id"] == "trace-42"
    with unit_of_work(database) as session:
        actions = [
            (e.action, e.request_id) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.at))
        ]
    assert ("case.read", "trace-42") in actions


def test_an_unknown_case_is_404_problem(client, make_key):
    response = client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=auth(make_key(Role.COORDINATOR)))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("role", [Role.INTAKE, Role.BOARD, Role.ADMIN])
def test_only_coordinators_read_cases(client, make_key, role):
    assert client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=auth(make_key(role))).status_code == 403


def test_a_provider_cannot_read_cases(client, make_key):
    key = make_key(Role.PROVIDER, provider_id="climb-childrens-society")
    assert client.get(f"/api/v1/cases/{uuid.uuid4()}", headers=auth(key)).status_code == 403


def test_health_and_docs_need_no_credential(client):
    assert client.get("/health").get_json() == {"status": "ok"}
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").get_json()
    assert "/api/v1/referrals" in spec["paths"] and "/api/v1/cases/{case_id}" in spec["paths"]


OPEN_ENDPOINTS = {
    "/health",
    "/ready",
    "/openapi.json",
    "/docs",
    "/docs/<path:filename>",
    "/redoc",
    "/static/<path:filename>",
    # The directory of commissioned services, published for other agencies (no personal data).
    "/api/v1/oruk/services",
    "/api/v1/oruk/services/<string:service_id>",
    # What each error's `type` means: the pages a problem answer links to (no data at all).
    "/problems",
    "/problems/<slug>",
    # The victim's own pages: self-referral, the feedback page its one-time link opens, their quick-exit script.
    "/self-referral",
    "/feedback/<token>",
    "/public/exit.js",
}


def test_every_endpoint_but_health_and_docs_needs_a_credential(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule in OPEN_ENDPOINTS or rule.rule.startswith("/docs") or rule.rule.startswith("/redoc"):
            continue
        # Each placeholder whole (`<uuid:case_id>`, `<uuid:other_case_id>`) becomes an id.
        path = re.sub(r"<[^>]+>", lambda _: str(uuid.uuid4()), rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            # A client of its own for each call: this counts routes, not the failed-authentication allowance.
            client_address = {"REMOTE_ADDR": f"192.0.2.{checked % 250 + 1}"}
            response = client.open(path, method=method, json={}, environ_base=client_address)
            assert response.status_code == 401, (method, rule.rule)
            checked += 1
    assert checked >= 4


def test_unknown_paths_and_methods_are_problems(client, make_key):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    wrong = client.delete("/api/v1/referrals", headers=auth(make_key(Role.INTAKE)))
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"


def test_logs_carry_no_personal_data(client, make_key, referral_body, capfd):
    from val.logs import configure_logging

    configure_logging("DEBUG")
    try:
        intake, coordinator = make_key(Role.INTAKE), make_key(Role.COORDINATOR)
        body = referral_body()
        body["victim"]["contact"]["email"] = "alexandra.q@example.org"
        case = client.post("/api/v1/referrals", json=body, headers=auth(intake)).get_json()
        client.post("/api/v1/referrals", json=body, headers=auth(intake))  # duplicate
        client.get(f"/api/v1/cases/{case['id']}", headers=auth(coordinator))
        bad = referral_body(**{"victim.postcode": "WR1 2AB!", "victim.date_of_birth": "2999-03-01"})
        client.post("/api/v1/referrals", json=bad, headers=auth(intake))
        client.post("/api/v1/referral-batches", json=[body, bad], headers=auth(intake))
    finally:
        configure_logging("INFO")
    out, err = capfd.readouterr()
    logged = out + err
    assert '"message": "request"' in logged, "requests are logged (as JSON lines)"
    assert "request_id" in logged
    for secret in (
        "Alexandra",
        "Quinterro",
        "+447700900123",
        "alexandra.q@example.org",
        "WR1 2AB",
        "1992-03-01",
        "2999-03-01",
        "Assault with injury",
        "after 18:00",
    ):
        assert secret not in logged, secret


def test_admins_read_the_audit_trail_and_nobody_can_rewrite_it(client, make_key, referral_body, database):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    case = client.post(
        "/api/v1/referrals", json=referral_body(), headers=auth(make_key(Role.INTAKE))
    ).get_json()
    client.get(f"/api/v1/cases/{case['id']}", headers=auth(make_key(Role.COORDINATOR)))
    admin = make_key(Role.ADMIN)
    events = client.get(f"/api/v1/audit-events?entity_id={case['id']}", headers=auth(admin)).get_json()[
        "items"
    ]
    assert [e["action"] for e in events] == ["case.read", "referral.accepted"]
    assert client.get("/api/v1/audit-events", headers=auth(make_key(Role.COORDINATOR))).status_code == 403
    if database.dialect == "postgresql":
        for statement in ("UPDATE audit_events SET action = 'nothing'", "DELETE FROM audit_events"):
            with database.engine.begin() as connection, pytest.raises(DBAPIError, match="append-only"):
                connection.execute(text(statement))


def test_every_answer_carries_the_protective_headers(client, make_key, referral_body):
    intake = make_key(Role.INTAKE)
    case = client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake))
    for response in (case, client.get("/api/v1/cases"), client.get("/health"), client.get("/docs")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    assert case.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/cases").headers["Cache-Control"] == "no-store", "errors too"
    policy = client.get("/docs").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    for response in (case, client.get("/health"), client.get("/docs")):
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in response.headers, "plain http: nothing to pin"
    board = make_key(Role.BOARD)
    pack = client.get(f"/api/v1/board/pack?{this_month()}", headers=auth(board))
    assert pack.mimetype == "text/html" and "default-src 'none'" in pack.headers["Content-Security-Policy"]
    secure = client.get("/health", base_url="https://val.example.police.uk")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_link_header_never_carries_the_host_a_client_sent(database, client, coordinator, submit):
    for _ in range(3):
        submit()
    forged = client.get("/api/v1/cases?limit=1", headers={**auth(coordinator), "Host": "evil.example"})
    assert forged.headers["Link"].startswith("</api/v1/cases?"), "relative when no public URL is set"
    assert "evil.example" not in forged.headers["Link"]
    public = create_app(
        overrides={"database_url": database.url, "public_base_url": "https://val.example.police.uk/"}
    )
    configured = public.test_client().get(
        "/api/v1/cases?limit=1", headers={**auth(coordinator), "Host": "evil.example"}
    )
    public.extensions["val"].db.dispose()
    assert configured.headers["Link"].startswith(
        "<https://val.example.police.uk/api/v1/cases?limit=1&cursor="
    )


def test_the_openapi_document_says_errors_are_problem_details(client):
    spec = client.get("/openapi.json").get_json()
    default = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(default) == ["application/problem+json"]
    assert default["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    invalid = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(invalid) == ["application/problem+json"]
    operations = [op for path in spec["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert all("default" in op["responses"] for op in operations if "responses" in op)


def test_a_signing_secret_this_val_cannot_open_holds_its_webhooks_alerts_once_and_shows_in_ready(
    database, client, submit, make_key, redis_server
):
    """After a key rotation a process without the new key used to stop sending, silently."""
    from cryptography.fernet import Fernet

    from tests.conftest import SECRET_BOX
    from val.alerts.models import Alert
    from val.webhooks.destinations import DestinationPolicy
    from val.webhooks.endpoints import set_endpoint
    from val.webhooks.models import WebhookDelivery
    from val.webhooks.secret_box import SecretBox
    from val.webhooks.service import claim_many_for_sending
    from val.webhooks.signing_keys import SECRET_UNOPENABLE

    hosts = DestinationPolicy(
        allow_http=False, allow_loopback=False, allowlist=frozenset({"idva.example.org"})
    )
    with unit_of_work(database) as session:
        set_endpoint(session, "wmwa-idva", "https://idva.example.org/hooks", policy=hosts, box=SECRET_BOX)
    submit(), submit()
    with unit_of_work(database) as session:
        deliveries = [d.id for d in session.scalars(select(WebhookDelivery)) if d.provider_id == "wmwa-idva"]
    assert len(deliveries) == 2
    other_key = SecretBox([Fernet.generate_key().decode()])
    for delivery_id in deliveries:
        with unit_of_work(database) as session:
            assert claim_many_for_sending(session, [delivery_id], 60, other_key) == [], "held, not sent"
            session.commit()
    with unit_of_work(database) as session:
        alerts = [a.detail for a in session.scalars(select(Alert).where(Alert.kind == SECRET_UNOPENABLE))]
        statuses = {
            d.status
            for d in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(deliveries)))
        }
    assert len(alerts) == 1 and "wmwa-idva" in alerts[0], "one alert while the condition lasts"
    assert statuses == {"pending"}, "nothing failed or lost: they go once the key is back"

    rotated = create_app(
        overrides={
            "database_url": database.url,
            "broker_url": redis_server.url,
            "secret_key": Fernet.generate_key().decode(),  # not the key the secret was sealed with
        }
    )
    answer = checked(rotated.test_client())
    rotated.extensions["val"].db.dispose()
    assert answer.status_code == 200 and answer.get_json()["status"] == "degraded"
    assert answer.get_json()["checks"]["signing_secrets"] is False
