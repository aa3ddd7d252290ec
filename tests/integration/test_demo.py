"""`val demo`: a fresh embedded install gets sample referrals of every kind, worked through VAL's own services,
so the work queue, reports and Board pack have something to show; it never touches a database with cases or
any database but the embedded one."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import distinct, func, select

from val.audit.models import AuditEvent
from val.cases.models import Case, TriageDecision
from val.cli import main
from val.compliance.models import CompliancePoint
from val.db.session import Database, read_only
from val.routing.models import Assignment


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    monkeypatch.delenv("VAL_DATABASE_URL", raising=False)
    monkeypatch.delenv("VAL_BROKER_URL", raising=False)
    monkeypatch.setenv("VAL_DATA_DIR", str(tmp_path / "var"))
    return tmp_path / "var" / "val.sqlite"


def _demo(*args: str):
    return CliRunner().invoke(main, ["demo", *args], catch_exceptions=False)


def test_a_fresh_install_gets_referrals_of_every_kind_offered_accepted_declined_and_overdue(embedded):
    result = _demo("--referrals", "120")
    assert result.exit_code == 0, result.output
    said = dict(
        zip(
            ("referrals", "offered", "accepted", "declined", "overdue"),
            map(int, re.findall(r"(\d+) ", result.output)),
            strict=True,
        )
    )
    assert said["referrals"] == 120 and min(said.values()) > 0, result.output

    database = Database(f"sqlite:///{embedded}")
    with read_only(database) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 120
        crime_types = set().union(*session.scalars(select(TriageDecision.crime_types)))
        assert {"domestic_abuse", "sexual_violence", "hate_crime", "road_traffic_collision"} <= crime_types
        assert session.scalar(select(func.count(distinct(Case.policing_area)))) >= 2
        statuses = dict(
            session.execute(select(Assignment.status, func.count()).group_by(Assignment.status)).all()
        )
        assert statuses["offered"] == said["offered"] and statuses["declined"] == said["declined"]
        codes = set(session.scalars(select(Assignment.decline_code).where(Assignment.status == "declined")))
        assert codes and None not in codes, (
            "every decline carries a reason code for the commissioner's return"
        )
        # Dated across the 90 days, oldest first: the work queue shows old and new work.
        oldest, newest = session.execute(select(func.min(Case.received_at), func.max(Case.received_at))).one()
        assert (newest - oldest).days >= 60
        fulfilled = session.scalar(
            select(func.count()).select_from(CompliancePoint).where(CompliancePoint.fulfilled_at.is_not(None))
        )
        assert fulfilled > 0
        # Worked through the services, so the audit trail has the answers and contacts, and names no real key.
        actions = set(session.scalars(select(AuditEvent.action)))
        assert {"assignment.accepted", "assignment.declined", "demo.seeded"} <= actions
    database.dispose()


def test_it_refuses_a_database_that_already_holds_cases(embedded):
    assert _demo("--referrals", "5").exit_code == 0
    again = _demo("--referrals", "5")
    assert again.exit_code != 0 and "already holds 5 cases" in again.output


def test_it_refuses_any_database_but_the_embedded_one(monkeypatch):
    monkeypatch.setenv("VAL_DATABASE_URL", "postgresql+psycopg://val@127.0.0.1:1/val")
    refused = _demo()
    assert refused.exit_code != 0 and "must never reach real providers" in refused.output
