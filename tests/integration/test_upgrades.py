"""Upgrades keep data: a database holding a release's data (captured with that release's own code, in
tests/releases/), at that release's migration head, is upgraded with `val db upgrade`, and every case, point and
delivery reads back through the API as the release answered it. A migration that loses or changes data fails
here."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from tests.releases.capture import read_back
from tests.releases.data import MATCH_KEY, SECRET_KEY, load_rows, read
from val.app import create_app
from val.auth.roles import Role
from val.auth.service import create_credential
from val.cli import main
from val.db import migrate
from val.db.session import Database, unit_of_work

RELEASES = ["v0.1.0"]


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even VAL's tables."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgraded.sqlite'}"
        return
    server = request.getfixturevalue("postgres")
    name = f"upgrade_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _contains(now: Any, then: Any, where: str = "") -> None:
    """Everything the release answered is answered the same now (a later release may add fields)."""
    if isinstance(then, dict):
        assert isinstance(now, dict), where
        for key, value in then.items():
            assert key in now, f"{where}.{key} is gone"
            _contains(now[key], value, f"{where}.{key}")
    elif isinstance(then, list):
        assert isinstance(now, list) and len(now) == len(then), f"{where}: {len(then)} then, {now!r} now"
        for n, (one_now, one_then) in enumerate(zip(now, then, strict=True)):
            _contains(one_now, one_then, f"{where}[{n}]")
    else:
        assert now == then, f"{where}: {then!r} then, {now!r} now"


@pytest.mark.parametrize("release", RELEASES)
def test_an_upgrade_keeps_every_case_point_and_delivery_of_a_release(release, empty_database, monkeypatch):
    fixture = read(release)
    migrate.upgrade(empty_database, fixture["migration"])
    engine = create_engine(empty_database)
    try:
        load_rows(engine, fixture["rows"])
    finally:
        engine.dispose()
    for name, value in {
        "VAL_DATABASE_URL": empty_database,
        "VAL_SECRET_KEY": SECRET_KEY,
        "VAL_MATCH_KEY": MATCH_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    upgraded = CliRunner().invoke(main, ["db", "upgrade"], catch_exceptions=False)
    assert upgraded.exit_code == 0, upgraded.output

    app = create_app(
        overrides={"database_url": empty_database, "secret_key": SECRET_KEY, "match_key": MATCH_KEY}
    )
    database: Database = app.extensions["val"].db
    try:
        with unit_of_work(database) as session:
            keys = {
                "coordinator": create_credential(session, name="reader", role=Role.COORDINATOR),
                "admin": create_credential(session, name="auditor", role=Role.ADMIN),
            }
        then = fixture["answers"]
        now = read_back(app.test_client(), keys, list(then["cases"]))
        _contains(now, then, release)
        assert len(then["cases"]) == 4 and then["points"] and then["deliveries"], (
            "the release's data is there"
        )
    finally:
        database.dispose()
