"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from val.models import Base


def test_migrations_match_the_models(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_index_the_models_name_is_in_the_database_expression_indexes_too(database):
    """compare_metadata cannot reflect an expression index (the search's), and SQLite's batch migrations copy
    tables: the names are read back from the database itself."""
    named = {index.name for table in Base.metadata.tables.values() for index in table.indexes}
    query = (
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
        if database.dialect == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'index'"
    )
    with database.engine.connect() as connection:
        present = {row[0] for row in connection.exec_driver_sql(query)}
    assert named - present == set()
    assert {"ix_cases_source_reference_lower", "ix_victims_postcode_district"} <= present


def test_casework_migration_fills_in_what_existing_cases_need(tmp_path):
    """Cases taken in before casework existed get their queue copies and search keys on upgrade (SQLite)."""
    import datetime as dt
    import json
    import uuid

    from sqlalchemy import create_engine, text

    from val.db import migrate

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    migrate.upgrade(url, "0006")
    case_id, now = uuid.uuid4(), dt.datetime(2026, 5, 1, 12, 0)
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO cases (id, status, source_system, source_reference, duplicate_key, submitted_by, "
                "reported_at, received_at, policing_area, consent_support_referral) VALUES (:id, 'routed', 'rms', "
                "'R/1', 'k', :who, :now, :now, 'herefordshire', 'given')"
            ),
            {"id": case_id.hex, "who": uuid.uuid4().hex, "now": now},
        )
        c.execute(
            text(
                "INSERT INTO victims (id, case_id, family_name, date_of_birth, policing_area, relationship, contact, "
                "needs_interpreter, vulnerabilities, persistently_targeted, intimidated, in_hospital, "
                "children_in_household) VALUES (:id, :case, 'Núñez', '1990-01-01', 'herefordshire', 'direct', "
                ":contact, 0, '[]', 0, 0, 0, 0)"
            ),
            {"id": uuid.uuid4().hex, "case": case_id.hex, "contact": json.dumps({"phone": "07700 900123"})},
        )
        c.execute(
            text(
                "INSERT INTO triage_decisions (id, case_id, decided_at, crime_types, risk_level, marac, "
                "enhanced_rights, enhanced_reasons, consent_model, age_at_offence, rules_version, explanation, "
                "risk_input) VALUES (:id, :case, :now, '[\"domestic_abuse\"]', 'high', 1, 1, '[]', 'opt_out', 36, "
                "'v', '[]', '{}')"
            ),
            {"id": uuid.uuid4().hex, "case": case_id.hex, "now": now},
        )
        for status, due in (("met", "2026-05-02"), ("pending", "2026-05-06"), ("missed", "2026-05-04")):
            c.execute(
                text(
                    "INSERT INTO compliance_points (id, case_id, code, right, agency, trigger_event, triggered_at, "
                    "trigger_date, due_on, status, enhanced, policing_area, age_band, crime_type, updated_at) "
                    "VALUES (:id, :case, 'X', 3, 'police', 'crime_reported', :now, '2026-05-01', :due, :status, 1, "
                    "'herefordshire', '18_plus', 'domestic_abuse', :now)"
                ),
                {"id": uuid.uuid4().hex, "case": case_id.hex, "now": now, "due": due, "status": status},
            )
    migrate.upgrade(url)
    with engine.connect() as c:
        case = c.execute(
            text(
                "SELECT risk_level, enhanced_rights, crime_types_key, earliest_open_due_on, version "
                "FROM cases"
            )
        ).one()
        victim = c.execute(text("SELECT family_name_key, phone_e164 FROM victims")).one()
    engine.dispose()
    assert tuple(case) == ("high", 1, "|domestic_abuse|", "2026-05-04", 1)
    assert tuple(victim) == ("nunez", "+447700900123")


def test_intake_keys_stay_bound_to_what_they_sent_and_anonymised_cases_lose_their_duplicate_key(tmp_path):
    """0012 on SQLite: an intake key that has sent referrals keeps sending for those systems only; one that
    sent none is bound to nothing; an anonymised case's duplicate key is erased."""
    import datetime as dt
    import uuid

    from sqlalchemy import create_engine, text

    from val.db import migrate

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    migrate.upgrade(url, "0011")
    sender, idle, now = uuid.uuid4(), uuid.uuid4(), dt.datetime(2026, 5, 1, 12, 0)
    engine = create_engine(url)
    with engine.begin() as c:
        for credential, name in ((sender, "rms"), (idle, "idle")):
            c.execute(
                text(
                    "INSERT INTO credentials (id, name, role, key_hash, created_at) "
                    "VALUES (:id, :name, 'intake', :hash, :now)"
                ),
                {"id": credential.hex, "name": name, "hash": name * 8, "now": now},
            )
        for n, (system, anonymised) in enumerate(((" Niche ", None), ("niche", now), ("RMS", None))):
            c.execute(
                text(
                    "INSERT INTO cases (id, status, source_system, source_reference, duplicate_key, "
                    "submitted_by, reported_at, received_at, policing_area, consent_support_referral, "
                    "anonymised_at) VALUES (:id, 'closed', :system, 'R', :key, :who, :now, :now, "
                    "'herefordshire', 'given', :anonymised)"
                ),
                {
                    "id": uuid.UUID(int=n + 1).hex,
                    "system": system,
                    "key": f"k{n}",
                    "who": sender.hex,
                    "now": now,
                    "anonymised": anonymised,
                },
            )
    migrate.upgrade(url)
    with engine.connect() as c:
        bound = dict(c.execute(text("SELECT name, source_systems FROM credentials")).all())
        keys = [k for (k,) in c.execute(text("SELECT duplicate_key FROM cases ORDER BY id"))]
    engine.dispose()
    assert bound == {"rms": '["niche", "rms"]', "idle": None}
    assert keys == ["k0", f"anonymised-{uuid.UUID(int=2).hex}", "k2"]


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_the_service_role_can_only_add_to_the_audit_trail(database, referral_body, make_key):
    """`val db upgrade --app-role` (run as the schema's owner): the role the service runs as does its work,
    and cannot change, delete, TRUNCATE or un-trigger audit_events."""
    from click.testing import CliRunner
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    from tests.conftest import auth
    from val.app import create_app
    from val.auth.roles import Role
    from val.cli import main

    with database.engine.begin() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = 'val_service'")).scalar():
            connection.execute(text("CREATE ROLE val_service LOGIN"))
    result = CliRunner().invoke(
        main, ["db", "upgrade", "--app-role", "val_service"], env={"VAL_DATABASE_URL": database.url}
    )
    assert result.exit_code == 0, result.output
    service_url = database.url.replace("://val@", "://val_service@")
    app = create_app(overrides={"database_url": service_url})
    created = app.test_client().post(
        "/api/v1/referrals", json=referral_body(), headers=auth(make_key(Role.INTAKE))
    )
    assert created.status_code == 201, created.get_json()
    app.extensions["val"].db.dispose()
    engine = create_engine(service_url)
    try:
        for statement in (
            "TRUNCATE audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
            "DELETE FROM audit_events",
            "UPDATE audit_events SET action = 'nothing'",
            "DROP TABLE audit_events",
            "UPDATE alembic_version SET version_num = '0001'",
        ):
            with engine.begin() as connection, pytest.raises(DBAPIError):
                connection.execute(text(statement))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar() >= 1
    finally:
        engine.dispose()
