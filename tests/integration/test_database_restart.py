"""A PostgreSQL restart costs a client at most a 503 it may safely retry — never a 500, never a half-kept case —
and the service is whole again at once. On a server of its own, so no other test's connections are cut."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from harness.database import prepared
from harness.servers import PostgresServer
from tests.conftest import auth
from val.app import create_app
from val.auth.roles import Role
from val.auth.service import create_credential
from val.cases.models import Case
from val.db.session import unit_of_work


@pytest.fixture
def restartable(scratch_dir):
    # A name of its own per test, short: the server's socket path must fit in 107 bytes.
    server = PostgresServer(scratch_dir / f"pg-restart-{uuid.uuid4().hex[:8]}").start()
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
            assert (
                response.mimetype == "application/problem+json" and int(response.headers["Retry-After"]) >= 1
            )
            response = client.post(
                "/api/v1/referrals", json=body, headers=auth(key, **{"Idempotency-Key": f"r-{n}"})
            )
        answers.append(response.status_code)
    assert answers == [201, 201, 201, 201]
    assert retried == 1, "the first request after the restart met the cut connection; the pool was renewed"
    assert client.get(f"/api/v1/referrals/{first.get_json()['id']}", headers=auth(key)).status_code == 200
    app.extensions["val"].db.dispose()


def test_a_restart_between_the_work_and_its_commit_is_a_503_and_nothing_is_kept(restartable, referral_body):
    """The server restarts after the view has done its work, before the request's COMMIT: the COMMIT fails
    in after_request, and the client gets a 503 it may retry — not the 201 prepared for it, not a 500."""
    server, database = restartable
    with unit_of_work(database) as session:
        key = create_credential(session, name="rms", role=Role.INTAKE, source_systems=["police-rms"])
    app = create_app(overrides={"database_url": server.url})
    cut = {"pending": True}

    @app.after_request
    def restart_before_the_commit(response):  # registered last, so it runs before the commit
        if cut.pop("pending", False):
            server.restart()
        return response

    client = app.test_client()
    headers = auth(key, **{"Idempotency-Key": "mid-request"})
    body = referral_body(**{"source.reference": "MID/1"})
    first = client.post("/api/v1/referrals", json=body, headers=headers)
    assert first.status_code == 503, first.get_data(as_text=True)
    assert first.mimetype == "application/problem+json" and int(first.headers["Retry-After"]) >= 1
    again = client.post("/api/v1/referrals", json=body, headers=headers)
    assert again.status_code == 201, again.get_json()
    database.engine.dispose()  # the test's own pooled connections were cut by the restart too
    with unit_of_work(database) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1, "kept once, by the retry"
    app.extensions["val"].db.dispose()


def test_a_database_that_refuses_connections_is_a_503_on_every_route(referral_body):
    """A new connection that fails (the server is down, or still starting) is not a 500 either."""
    from harness.servers import free_port

    app = create_app(overrides={"database_url": f"postgresql+psycopg://val@127.0.0.1:{free_port()}/val"})
    client = app.test_client()
    for method, path, body in (
        ("post", "/api/v1/referrals", referral_body()),
        ("get", "/api/v1/cases", None),
        ("get", "/api/v1/alerts", None),
    ):
        response = getattr(client, method)(path, json=body, headers=auth("val_anything"))
        assert response.status_code == 503, (path, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json" and int(response.headers["Retry-After"]) >= 1
    assert client.get("/ready").status_code == 503
    app.extensions["val"].db.dispose()
