"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from val.models import Base


def test_migrations_match_the_models(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


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
