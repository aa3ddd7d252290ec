"""Signing secrets at rest: a copy of the database holds no `whsec_`, and the sealing key can be rotated."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import text

from val.cli import main
from val.settings import SettingsError
from val.webhooks.secret_box import SEALED, SecretBox


@pytest.fixture
def val(database, monkeypatch):
    monkeypatch.setenv("VAL_DATABASE_URL", database.url)
    monkeypatch.setenv("VAL_WEBHOOK_HOST_ALLOWLIST", "idva.example.org")

    def run(*args: str, key: str | None = None):
        if key is not None:
            monkeypatch.setenv("VAL_SECRET_KEY", key)
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run


def stored_secrets(database) -> list[str]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT signing_secret, previous_signing_secret FROM providers WHERE signing_secret IS NOT NULL"
            )
        )
        return [value for row in rows for value in row if value]


def test_a_copy_of_the_database_holds_no_signing_secret(val, database):
    old = Fernet.generate_key().decode()
    secret = val("providers", "set-endpoint", "wmwa-idva", "--url", "https://idva.example.org/hook", key=old)
    secret = secret.stdout.strip()
    rotated = val("providers", "rotate-secret", "wmwa-idva", key=old).stdout.strip()
    stored = stored_secrets(database)
    assert len(stored) == 2 and all(s.startswith(SEALED) and "whsec_" not in s for s in stored)
    with database.engine.connect() as connection:
        dump = str(connection.execute(text("SELECT * FROM providers")).all())
    assert "whsec_" not in dump and secret not in dump and rotated not in dump
    assert {SecretBox([old]).open(s) for s in stored} == {secret, rotated}


def test_the_sealing_key_rotates_without_losing_a_secret(val, database):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    secret = val("providers", "set-endpoint", "wmwa-idva", "--url", "https://idva.example.org/hook", key=old)
    resealed = val("secrets", "reseal", key=f"{new},{old}")
    assert resealed.exit_code == 0
    [stored] = stored_secrets(database)
    assert SecretBox([new]).open(stored) == secret.stdout.strip()
    with pytest.raises(SettingsError):
        SecretBox([old]).open(stored)


def test_a_secret_stored_plain_before_sealing_is_sealed_by_db_upgrade(val, database):
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE providers SET signing_secret = 'whsec_cGxhaW4=' WHERE id = 'wmwa-idva'")
        )
    key = Fernet.generate_key().decode()
    assert val("db", "upgrade", key=key).exit_code == 0
    [stored] = stored_secrets(database)
    assert stored.startswith(SEALED) and SecretBox([key]).open(stored) == "whsec_cGxhaW4="


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)  # the embedded mode makes its own key
def test_production_without_a_key_refuses_to_set_an_endpoint(val, database, monkeypatch):
    monkeypatch.delenv("VAL_SECRET_KEY", raising=False)
    refused = CliRunner().invoke(
        main, ["providers", "set-endpoint", "wmwa-idva", "--url", "https://idva.example.org/h"]
    )
    assert refused.exit_code != 0 and "VAL_SECRET_KEY" in refused.output


def test_the_embedded_mode_makes_its_key_once_in_the_data_directory(tmp_path):
    from val.settings import load_settings
    from val.webhooks.secret_box import KEY_FILE, box_for

    settings = load_settings(environ={}, overrides={"data_dir": str(tmp_path)})
    sealed = box_for(settings).seal("whsec_x")
    key_file = tmp_path / KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert box_for(settings).open(sealed) == "whsec_x", "the same key on the next start"
    production = load_settings(environ={}, overrides={"database_url": "postgresql+psycopg://x/y"})
    with pytest.raises(SettingsError, match="VAL_SECRET_KEY"):
        box_for(production)
