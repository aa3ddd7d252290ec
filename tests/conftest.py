"""Fixtures: real PostgreSQL and Redis started once per run, migrations once per database, and every test
starting from empty tables (the provider directory aside)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from harness.database import prepared
from harness.identity import IdentityProvider, signed_in_settings
from harness.servers import PostgresServer, RedisServer
from tests.contract import ContractClient
from val.app import create_app
from val.auth.roles import Role
from val.auth.service import create_credential
from val.db.session import Database, unit_of_work
from val.models import Base
from val.webhooks.secret_box import SecretBox

DATA = Path(__file__).parent / "data"
# One sealing key for the whole run, inherited by every worker and `val run` the tests start.
os.environ.setdefault("VAL_SECRET_KEY", Fernet.generate_key().decode())
SECRET_BOX = SecretBox([os.environ["VAL_SECRET_KEY"]])
# The repeat-victim key, so both databases recognise repeat victims the same way.
os.environ.setdefault("VAL_MATCH_KEY", "tests-" + "k" * 40)
KEPT_TABLES = {"providers", "alembic_version"}


@pytest.fixture(scope="session")
def scratch_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: PostgreSQL runs as another user and must be able to reach its directory.
    path = Path(tempfile.mkdtemp(prefix="val-tests-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(scratch_dir: Path) -> Iterator[PostgresServer]:
    server = PostgresServer(scratch_dir / "postgres").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(scratch_dir: Path) -> Iterator[RedisServer]:
    server = RedisServer(scratch_dir / "redis").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgresql_database(postgres: PostgresServer) -> Iterator[Database]:
    database = prepared(postgres.url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def sqlite_database(scratch_dir: Path) -> Iterator[Database]:
    database = prepared(f"sqlite:///{scratch_dir / 'val.sqlite'}")
    yield database
    database.dispose()


def empty_tables(database: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            # Deleting points adds −1 rows to their counts (the triggers): those go too.
            connection.execute(text("DELETE FROM compliance_point_counts"))
        # The directory stays, but what admins set on it (endpoints, secrets, switches) is per test.
        connection.execute(
            text(
                "UPDATE providers SET webhook_url = NULL, signing_secret = NULL, previous_signing_secret = NULL, "
                "previous_secret_expires_at = NULL, endpoint_disabled_at = NULL, admin_disabled = :off"
            ),
            {"off": False},
        )


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """Each test using this runs twice: on PostgreSQL (production) and on SQLite (the embedded default)."""
    database = request.getfixturevalue(f"{request.param}_database")
    empty_tables(database)
    yield database
    empty_tables(database)


@pytest.fixture
def app(database: Database):
    app = create_app(overrides={"database_url": database.url})
    app.test_client_class = ContractClient  # every JSON answer is held to the OpenAPI document
    yield app
    app.extensions["val"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[IdentityProvider]:
    """A real OpenID provider people sign in through (tests/identity.py)."""
    provider = IdentityProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def sign_in_app(database: Database, identity_provider: IdentityProvider):
    """VAL with sign-in through the identity provider switched on, beside its keys."""
    app = create_app(overrides={"database_url": database.url, **signed_in_settings(identity_provider)})
    app.test_client_class = ContractClient
    yield app
    app.extensions["val"].db.dispose()


@pytest.fixture
def make_key(database: Database) -> Callable[..., str]:
    counter = iter(range(1, 10_000))

    def make(
        role: Role | str,
        provider_id: str | None = None,
        name: str | None = None,
        source_systems: tuple[str, ...] | None = None,
    ) -> str:
        if source_systems is None:  # intake keys send from the example's record system unless told
            source_systems = ("police-rms",) if Role(role) is Role.INTAKE else ()
        with unit_of_work(database) as session:
            key = create_credential(
                session,
                name=name or f"{role}-{next(counter)}",
                role=Role(role),
                provider_id=provider_id,
                source_systems=source_systems,
            )
            session.commit()
        return key

    return make


def auth(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


@pytest.fixture
def referral_body() -> Callable[..., dict[str, Any]]:
    """The docs/domain.md example, with any dotted path overridden: referral_body(**{"victim.postcode": None})."""
    example = json.loads((DATA / "domain_example.json").read_text())

    def build(**overrides: Any) -> dict[str, Any]:
        body = copy.deepcopy(example)
        for path, value in overrides.items():
            target = body
            *parents, leaf = path.split(".")
            for part in parents:
                target = target[part]
            if value is _DELETE:
                target.pop(leaf, None)
            else:
                target[leaf] = value
        return body

    return build


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


_DELETE = _Delete()


@pytest.fixture
def delete() -> _Delete:
    """Use as an override value to remove a field: referral_body(**{"risk": delete})."""
    return _DELETE


def this_month() -> str:
    """`from=…&to=…` for the current calendar month: a period the Board may be given figures for."""
    first = dt.date.today().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return f"from={first.isoformat()}&to={last.isoformat()}"


def now_iso(minutes_ago: int = 0) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)).isoformat()


@pytest.fixture
def coordinator(make_key):
    return make_key(Role.COORDINATOR, name="jo.bloggs")


@pytest.fixture
def submit(client, make_key, referral_body):
    intake = make_key(Role.INTAKE)
    counter = iter(range(1, 1000))

    def post(recent: bool = True, **overrides):
        if recent:  # reported just now: its points fall due in the coming days, not years ago
            overrides = {
                "reported_at": now_iso(5),
                "offence.occurred_at": now_iso(60),
                "consent.recorded_at": now_iso(5),
                **overrides,
            }
        overrides.setdefault("source.reference", f"22/{next(counter):06d}/26")
        response = client.post("/api/v1/referrals", json=referral_body(**overrides), headers=auth(intake))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return post
