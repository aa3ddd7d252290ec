"""Failed authentication is throttled per client: past the allowance a client's failures wait (429, Retry-After)
— on every API process at once when VAL runs on Redis. A valid key is never throttled."""

from __future__ import annotations

import pytest

from tests.conftest import auth
from val.app import create_app
from val.auth.roles import Role

ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}
NEIGHBOUR = {"REMOTE_ADDR": "198.51.100.8"}


def test_more_than_the_allowance_of_failures_makes_the_client_wait(database, make_key):
    app = create_app(overrides={"database_url": database.url, "auth_failures_per_minute": 3})
    client, good = app.test_client(), make_key(Role.COORDINATOR)
    for _ in range(3):
        assert (
            client.get("/api/v1/cases", headers=auth("val_wrong"), environ_base=ATTACKER).status_code == 401
        )
    blocked = client.get("/api/v1/cases", headers=auth("val_wrong"), environ_base=ATTACKER)
    assert blocked.status_code == 429 and blocked.mimetype == "application/problem+json"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/cases", headers=auth(good), environ_base=NEIGHBOUR).status_code == 200
    assert client.get("/health", environ_base=ATTACKER).status_code == 200
    app.extensions["val"].db.dispose()


def test_failures_from_an_address_never_refuse_a_valid_key_from_it(database, make_key, referral_body):
    """It did: 20 bad keys from one address (one person behind a force's NAT) and every valid coordinator and
    intake key behind the same NAT got 429 for a minute, renewable by the attacker."""
    app = create_app(overrides={"database_url": database.url, "auth_failures_per_minute": 3})
    client = app.test_client()
    coordinator, intake = make_key(Role.COORDINATOR), make_key(Role.INTAKE)
    for _ in range(20):
        assert client.get("/api/v1/cases", headers=auth("val_wrong"), environ_base=ATTACKER).status_code in (
            401,
            429,
        )
    assert client.get("/api/v1/cases", headers=auth("val_wrong"), environ_base=ATTACKER).status_code == 429
    assert client.get("/api/v1/cases", headers=auth(coordinator), environ_base=ATTACKER).status_code == 200
    sent = client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake), environ_base=ATTACKER)
    assert sent.status_code == 201
    app.extensions["val"].db.dispose()


def test_successes_do_not_count(database, make_key):
    app = create_app(overrides={"database_url": database.url, "auth_failures_per_minute": 2})
    client, good = app.test_client(), make_key(Role.COORDINATOR)
    for _ in range(10):
        assert client.get("/api/v1/cases", headers=auth(good), environ_base=ATTACKER).status_code == 200
    app.extensions["val"].db.dispose()


def test_no_key_at_all_is_a_401_and_never_counts(database, make_key):
    app = create_app(overrides={"database_url": database.url, "auth_failures_per_minute": 2})
    client, good = app.test_client(), make_key(Role.COORDINATOR)
    for _ in range(10):
        assert client.get("/api/v1/cases", environ_base=ATTACKER).status_code == 401
    assert client.get("/api/v1/cases", headers=auth(good), environ_base=ATTACKER).status_code == 200
    app.extensions["val"].db.dispose()


def test_behind_a_trusted_proxy_the_client_counted_is_the_one_the_proxy_saw(database, make_key):
    app = create_app(
        overrides={"database_url": database.url, "auth_failures_per_minute": 2, "trusted_proxies": 1}
    )
    client, good = app.test_client(), make_key(Role.COORDINATOR)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(3):
        client.get(
            "/api/v1/cases",
            headers=auth("val_wrong", **{"X-Forwarded-For": "198.51.100.7"}),
            environ_base=proxy,
        )
    attacker = client.get(
        "/api/v1/cases", headers=auth("val_wrong", **{"X-Forwarded-For": "198.51.100.7"}), environ_base=proxy
    )
    neighbour = client.get(
        "/api/v1/cases", headers=auth("val_wrong", **{"X-Forwarded-For": "198.51.100.8"}), environ_base=proxy
    )
    assert attacker.status_code == 429 and neighbour.status_code == 401
    assert client.get("/api/v1/cases", headers=auth(good), environ_base=proxy).status_code == 200
    app.extensions["val"].db.dispose()


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_on_redis_every_process_shares_the_count(database, redis_server, make_key):
    settings = {"database_url": database.url, "broker_url": redis_server.url, "auth_failures_per_minute": 2}
    first, second = create_app(overrides=settings), create_app(overrides=settings)
    source = {"REMOTE_ADDR": f"198.51.100.{id(first) % 200}"}
    for _ in range(2):
        assert (
            first.test_client().get("/api/v1/cases", headers=auth("val_x"), environ_base=source).status_code
            == 401
        )
    assert (
        second.test_client().get("/api/v1/cases", headers=auth("val_x"), environ_base=source).status_code
        == 429
    )
    for app in (first, second):
        app.extensions["val"].db.dispose()


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_an_unreachable_count_never_refuses_service(database, make_key):
    from harness.servers import free_port

    gone = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = create_app(
        overrides={"database_url": database.url, "broker_url": gone, "auth_failures_per_minute": 1}
    )
    client, good = app.test_client(), make_key(Role.COORDINATOR)
    assert client.get("/api/v1/cases", headers=auth("val_wrong")).status_code == 401
    assert client.get("/api/v1/cases", headers=auth(good)).status_code == 200
    app.extensions["val"].db.dispose()


def test_without_redis_every_process_shares_the_count_through_the_database(database, make_key):
    """The embedded mode runs two API processes: a count in each one's memory let a client fail twice the
    allowance. Two apps stand for the two processes."""
    settings = {"database_url": database.url, "auth_failures_per_minute": 2}
    first, second = create_app(overrides=settings), create_app(overrides=settings)
    source, good = {"REMOTE_ADDR": "198.51.100.77"}, make_key(Role.COORDINATOR)
    assert (
        first.test_client().get("/api/v1/cases", headers=auth("val_x"), environ_base=source).status_code
        == 401
    )
    assert (
        second.test_client().get("/api/v1/cases", headers=auth("val_y"), environ_base=source).status_code
        == 401
    )
    for app in (first, second):
        blocked = app.test_client().get("/api/v1/cases", headers=auth("val_z"), environ_base=source)
        assert blocked.status_code == 429 and 1 <= int(blocked.headers["Retry-After"]) <= 60
        assert (
            app.test_client().get("/api/v1/cases", headers=auth(good), environ_base=source).status_code == 200
        )
    for app in (first, second):
        app.extensions["val"].db.dispose()
