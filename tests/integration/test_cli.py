"""The `val` command against a real database: credentials, imports, the provider directory."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.conftest import auth
from val.cases.models import Case
from val.cli import main


@pytest.fixture
def val(database, monkeypatch):
    monkeypatch.setenv("VAL_DATABASE_URL", database.url)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


def test_a_created_key_is_printed_alone_and_works_until_revoked(val, app, referral_body):
    result = val("credentials", "create", "--role", "intake", "--name", "police-rms")
    assert result.exit_code == 0
    key = result.stdout.strip()
    assert result.stdout == key + "\n" and key.startswith("val_")
    client = app.test_client()
    assert client.post("/api/v1/referrals", json=referral_body(), headers=auth(key)).status_code == 201
    assert val("credentials", "revoke", "police-rms").exit_code == 0
    assert client.post("/api/v1/referrals", json=referral_body(), headers=auth(key)).status_code == 401
    listed = val("credentials", "list").stdout
    assert "police-rms\tintake" in listed and "revoked" in listed and key not in listed


def test_provider_keys_must_name_a_known_provider(val):
    assert val("credentials", "create", "--role", "provider", "--name", "p").exit_code != 0
    assert (
        val("credentials", "create", "--role", "provider", "--provider", "nobody", "--name", "p").exit_code
        != 0
    )
    ok = val("credentials", "create", "--role", "provider", "--provider", "wmwa-idva", "--name", "idva")
    assert ok.exit_code == 0
    assert val(
        "credentials", "create", "--role", "provider", "--provider", "wmwa-idva", "--name", "idva"
    ).exit_code


def test_the_provider_directory_is_loaded(val):
    listed = val("providers", "list").stdout
    assert (
        "wmwa-idva\tidva" in listed and "climb-childrens-society\tclimb" in listed and "ages 11-17" in listed
    )


def _count(database) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(Case))


def test_importing_ndjson_twice_creates_each_case_once(val, database, referral_body, tmp_path):
    path = tmp_path / "export.ndjson"
    good = [referral_body(**{"source.reference": f"N/{i}"}) for i in range(4)]
    bad = referral_body(**{"source.reference": "N/bad", "victim.date_of_birth": "not a date"})
    path.write_text("\n".join(json.dumps(r) for r in [*good[:2], bad, *good[2:]]) + "\n")
    first = val("import", str(path))
    assert first.exit_code == 1, "a file with a bad record says so in its exit code"
    assert (
        "4 records" not in first.stdout and "5 records: 4 created, 0 duplicates, 1 rejected" in first.stdout
    )
    assert "line 3: victim.date_of_birth" in first.stderr
    again = val("import", str(path))
    assert "5 records: 0 created, 4 duplicates, 1 rejected" in again.stdout
    assert _count(database) == 4


def _flatten(record, prefix=""):
    out = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and key != "answers":
            out.update(_flatten(value, path + "."))
        elif isinstance(value, list):
            out[path] = ";".join(value)
        elif value is None:
            out[path] = ""
        else:
            out[path] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def test_importing_csv_with_dotted_columns(val, database, referral_body, tmp_path):
    rows = [_flatten(referral_body(**{"source.reference": f"C/{i}", "risk.answers": None})) for i in range(3)]
    rows[1]["offence.flags"] = "domestic_abuse;stalking"
    rows[2]["victim.policing_area"] = "narnia"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "export.csv"
    path.write_text(buffer.getvalue())
    result = val("import", str(path))
    assert "3 records: 2 created, 0 duplicates, 1 rejected" in result.stdout
    assert "line 4: victim.policing_area" in result.stderr
    with database.sessions() as session:
        from val.cases.models import TriageDecision

        kinds = sorted(tuple(d.crime_types) for d in session.scalars(select(TriageDecision)))
        assert kinds == [("domestic_abuse",), ("domestic_abuse", "stalking_harassment")]
        assert {d.risk_level for d in session.scalars(select(TriageDecision))} == {"high"}
