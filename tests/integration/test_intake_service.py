"""accept_referral on PostgreSQL and on SQLite: one transaction, nothing lost, nothing doubled."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from val.audit.models import AuditEvent
from val.auth.roles import Role
from val.auth.service import system_principal
from val.cases.models import Case, Offence, TriageDecision, Victim
from val.db.session import unit_of_work
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.referrals.service import accept_referral
from val.routing.models import Assignment
from val.rulebook import load_rulebook
from val.settings import load_settings
from val.webhooks.models import WebhookDelivery

SETTINGS = load_settings(environ={})
RULES = load_rulebook(SETTINGS.config_dir)
configure_policing_areas(SETTINGS.policing_areas)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def principal(database):
    with unit_of_work(database) as session:
        who = system_principal(session, "police-rms", Role.INTAKE)
        session.commit()
    return who


def load(body):
    return ReferralSchema().load(body)


def test_a_referral_becomes_a_case_with_victim_offence_triage_assignments_and_audit(
    database, principal, referral_body
):
    with unit_of_work(database) as session:
        result = accept_referral(session, principal, load(referral_body()), RULES, "req-1")
    assert result.created
    with unit_of_work(database) as session:
        assert [count(session, m) for m in (Case, Victim, Offence, TriageDecision, AuditEvent)] == [
            1,
            1,
            1,
            1,
            1,
        ]
        assert count(session, Assignment) == len(result.case.assignments) > 0
        event = session.scalar(select(AuditEvent))
        assert (event.action, event.entity_id, event.request_id) == (
            "referral.accepted",
            str(result.case.id),
            "req-1",
        )
        decision = session.scalar(select(TriageDecision))
        assert (decision.risk_level, decision.marac, decision.enhanced_rights) == ("high", True, True)
        assert decision.risk_input["yes_count"] == 15


def test_the_case_and_its_routed_work_commit_together_or_not_at_all(database, principal, referral_body):
    # A real failure of the assignments insert (the last rows routing writes before the webhook deliveries),
    # raised by the database itself.
    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            connection.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'routing down'; END $$ "
                    "LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_assignments BEFORE INSERT ON assignments FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_assignments BEFORE INSERT ON assignments "
                    "BEGIN SELECT RAISE(ABORT, 'routing down'); END"
                )
            )
    try:
        with database.sessions() as session, pytest.raises(DBAPIError):
            accept_referral(session, principal, load(referral_body()), RULES)
        with unit_of_work(database) as session:
            assert [
                count(session, m)
                for m in (Case, Victim, Offence, TriageDecision, Assignment, WebhookDelivery, AuditEvent)
            ] == [0, 0, 0, 0, 0, 0, 0]
    finally:
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "DROP TRIGGER refuse_assignments"
                    + (" ON assignments" if database.dialect == "postgresql" else "")
                )
            )
            if database.dialect == "postgresql":
                connection.execute(text("DROP FUNCTION refuse()"))


def test_the_same_referral_twice_is_one_case(database, principal, referral_body):
    with unit_of_work(database) as session:
        first = accept_referral(session, principal, load(referral_body()), RULES)
    with unit_of_work(database) as session:
        second = accept_referral(session, principal, load(referral_body()), RULES)
    assert not second.created and second.case.id == first.case.id == second.duplicate_of
    with unit_of_work(database) as session:
        assert count(session, Case) == 1
        assert count(session, Assignment) == len(first.case.assignments)


def test_same_source_reference_for_another_victim_is_a_new_case(database, principal, referral_body):
    with unit_of_work(database) as session:
        accept_referral(session, principal, load(referral_body()), RULES)
    with unit_of_work(database) as session:
        other = accept_referral(
            session, principal, load(referral_body(**{"victim.date_of_birth": "1990-01-01"})), RULES
        )
    assert other.created


def test_racing_duplicates_make_one_case(database, principal, referral_body):
    body = load(referral_body(**{"source.reference": "RACE/1"}))
    results, errors = [], []
    barrier = threading.Barrier(6)

    def submit():
        try:
            barrier.wait()
            with unit_of_work(database) as session:
                results.append(accept_referral(session, principal, body, RULES))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(r.created for r in results) == 1
    assert len({r.case.id for r in results}) == 1
    with unit_of_work(database) as session:
        assert count(session, Case) == 1


def test_case_references_are_sequential_and_carry_the_year(database, principal, referral_body):
    refs = []
    for n in range(3):
        with unit_of_work(database) as session:
            result = accept_referral(
                session, principal, load(referral_body(**{"source.reference": f"SEQ/{n}"})), RULES
            )
            refs.append(result.case.reference)
    numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    assert all(r.startswith(f"VAL-{result.case.received_at.year}-") for r in refs)


def test_case_ids_are_not_guessable_numbers(database, principal, referral_body):
    with unit_of_work(database) as session:
        result = accept_referral(session, principal, load(referral_body()), RULES)
    assert isinstance(result.case.id, uuid.UUID) and result.case.id.version == 4


def test_idempotency_keys_are_purged_after_their_retention(database):
    import datetime as dt

    from val.http.models import IdempotencyRecord
    from val.http.store import purge_expired

    now = dt.datetime.now(dt.UTC)
    with unit_of_work(database) as session:
        for key, expires in (("old", now - dt.timedelta(minutes=1)), ("live", now + dt.timedelta(hours=1))):
            session.add(
                IdempotencyRecord(
                    credential_id=uuid.uuid4(),
                    key=key,
                    request_fingerprint="f",
                    locked_at=now,
                    expires_at=expires,
                )
            )
        session.commit()
    with unit_of_work(database) as session:
        assert purge_expired(session, now) == 1
        session.commit()
    with unit_of_work(database) as session:
        assert [r.key for r in session.scalars(select(IdempotencyRecord))] == ["live"]
