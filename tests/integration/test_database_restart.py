"""A PostgreSQL restart costs a client at most a 503 it may safely retry — never a 500, never a half-kept case —
and the service is whole again at once. On a server of its own, so no other test's connections are cut."""

from __future__ import annotations

import pytest

from harness.database import prepared
from harness.servers import PostgresServer
from tests.conftest import auth
from val.app import create_app
from val.auth.roles import Role
from val.auth.service import create_credential
from val.db.session import unit_of_work


@pytest.fixture
def restartable(scratch_dir):
    server = PostgresServer(scratch_dir / "postgres-restart").start()
    database = prepared(server.url)
    yield server, database
    database.dispose()
    server.stop()


def test_a_restart_gives_a_retryable_503_not_a_500(restartable, referral_body):
    server, database = restartable
    with unit_of_work(database) as session:
        key = create_credential(session, name="rms", role=Role.INTAKE, source_systems=["police-rms"])
    app = create_app(overrides={"database_url": server.url})
    client = app.test_client()
    first = client.post("/api/v1/referrals", json=referral_body(), headers=auth(key))
    assert first.status_code == 201
    server.restart()
    answers, retried = [], 0
    for n in range(4):
        body = referral_body(**{"source.reference": f"RESTART/{n}"})
        response = client.post(
            "/api/v1/referrals", json=body, headers=auth(key, **{"Idempotency-Key": f"r-{n}"})
        )
        if response.status_code == 503:
            retried += 1
            assert response.mimetype == "application/problem+json" and response.headers["Retry-After"] == "1"
            response = client.post(
                "/api/v1/referrals", json=body, headers=auth(key, **{"Idempotency-Key": f"r-{n}"})
            )
        answers.append(response.status_code)
    assert answers == [201, 201, 201, 201]
    assert retried == 1, "the first request after the restart met the cut connection; the pool was renewed"
    assert client.get(f"/api/v1/referrals/{first.get_json()['id']}", headers=auth(key)).status_code == 200
    app.extensions["val"].db.dispose()
