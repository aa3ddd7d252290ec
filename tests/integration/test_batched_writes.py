"""A file import writes a chunk's rows table by table at the end of its transaction (db.deferred). What intake
reads in the middle of a chunk must still see the chunk's earlier referrals: the same victim again, a
provider's capacity, a duplicate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from val.audit.models import AuditEvent
from val.auth.roles import Role
from val.auth.service import system_principal
from val.cases.models import Case, Offence, TriageDecision, Victim
from val.compliance.models import CompliancePoint
from val.db.session import unit_of_work
from val.providers.models import Provider
from val.referrals import batch
from val.routing.models import Assignment
from val.routing.states import OPEN
from val.rulebook import load_rulebook
from val.settings import Settings
from val.webhooks.models import WebhookDelivery

TABLES = (Case, Victim, Offence, TriageDecision, CompliancePoint, Assignment, WebhookDelivery, AuditEvent)


@pytest.fixture
def import_chunked(app, database):
    # `app` configures the closed lists (policing areas) the referral contract validates against.
    rulebook = load_rulebook(Settings().config_dir)
    with unit_of_work(database) as session:
        principal = system_principal(session, "batched-import", Role.INTAKE)

    def run(records, per_transaction):
        return batch.import_records(
            lambda: unit_of_work(database),
            principal,
            list(enumerate(records, start=1)),
            rulebook,
            repeat_keyer=app.extensions["val"].match_keyer,
            records_per_transaction=per_transaction,
        ).as_dict()

    return run


def _rows(database) -> dict[str, int]:
    with unit_of_work(database) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) for model in TABLES
        }


def test_a_chunk_writes_the_same_rows_as_one_referral_at_a_time_and_sees_its_own_repeat_victims(
    import_chunked, database, referral_body
):
    # The same victim (name, date of birth, postcode) in every referral: each is a repeat of those before it.
    one_at_a_time = import_chunked([referral_body(**{"source.reference": f"S/{n}"}) for n in range(4)], 1)
    singly = _rows(database)
    chunked = import_chunked([referral_body(**{"source.reference": f"B/{n}"}) for n in range(4)], 10)
    assert one_at_a_time["created"] == chunked["created"] == 4
    assert {table: count - singly[table] for table, count in _rows(database).items()} == singly
    with unit_of_work(database) as session:
        repeats = dict(session.execute(select(Case.source_reference, Case.repeat_previous_cases)).all())
    # Eight cases of one victim: B/0 sees the four S/ cases, and each B/ the B/ cases before it too.
    assert [repeats[f"B/{n}"] for n in range(4)] == [4, 5, 6, 7]


def test_a_providers_capacity_counts_the_offers_of_its_own_chunk(import_chunked, database, referral_body):
    with unit_of_work(database) as session:
        session.execute(update(Provider).where(Provider.id == "wmwa-idva").values(capacity=2))
    result = import_chunked([referral_body(**{"source.reference": f"K/{n}"}) for n in range(4)], 10)
    assert result["created"] == 4
    with unit_of_work(database) as session:
        held = session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.provider_id == "wmwa-idva", Assignment.status.in_(OPEN))
        )
    assert held == 2


def test_a_duplicate_of_a_referral_earlier_in_its_chunk_is_answered_with_that_case(
    import_chunked, database, referral_body
):
    first, again = referral_body(**{"source.reference": "D/1"}), referral_body(**{"source.reference": "D/1"})
    result = import_chunked([first, referral_body(**{"source.reference": "D/2"}), again], 10)
    assert (result["created"], result["duplicates"]) == (2, 1)
    answers = result["results"]
    assert answers[2]["outcome"] == "duplicate" and answers[2]["id"] == answers[0]["id"]
    assert _rows(database)["audit_events"] >= 3


def test_a_chunk_reads_the_directory_and_its_victims_once_and_writes_each_table_once(
    import_chunked, database, referral_body
):
    from sqlalchemy import event

    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()).lower())

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        # Different victims: nothing in the chunk makes it write early.
        result = import_chunked(
            [
                referral_body(**{"source.reference": f"O/{n}", "victim.postcode": f"HR{n} 1AA"})
                for n in range(5)
            ],
            10,
        )
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert result["created"] == 5
    assert sum("from providers" in s for s in statements) == 1
    # Which victims were seen before is read once; none was, so no history is looked up.
    assert sum(s.startswith("select victims.match_key from victims") for s in statements) == 1
    assert not any(s.startswith("with same_victim") for s in statements)
    for table in (
        "victims",
        "offences",
        "triage_decisions",
        "compliance_points",
        "assignments",
        "audit_events",
    ):
        assert sum(s.startswith(f"insert into {table} ") for s in statements) == 1, table
