"""A unit of work settles what it keeps true once, at its end: a case's status however many of its offers
changed, and after-commit actions only once the work is kept."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.api.providers import police_intake
from val.cases.models import Case
from val.db.session import empty_the_log_after_commit, unit_of_work
from val.db.settle import after_commit
from val.routing import case_status
from val.routing.models import Assignment
from val.routing.service import expire_overdue
from val.rulebook import load_rulebook
from val.settings import load_settings


def test_a_case_whose_offers_all_expire_at_once_has_its_status_settled_once(
    client, make_key, referral_body, database, monkeypatch
):
    case = police_intake(client, make_key, referral_body)()
    offered = [r for r in case["routes"] if r["status"] == "offered"]
    assert len(offered) >= 2  # high-risk domestic abuse: IDVA and MARAC at least
    settled, real_sync = Counter(), case_status._sync

    def counting(session, case_id):
        settled[case_id] += 1
        real_sync(session, case_id)

    monkeypatch.setattr(case_status, "_sync", counting)
    rulebook = load_rulebook(load_settings(environ={}).config_dir)
    with unit_of_work(database) as session:
        expired = expire_overdue(session, rulebook.routing, dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
        assert settled == Counter()  # nothing settles before the unit of work ends
    assert expired >= len(offered)
    assert settled == Counter({uuid.UUID(case["id"]): 1})
    with unit_of_work(database) as session:
        status = session.scalar(select(Case.status).where(Case.id == uuid.UUID(case["id"])))
        live = session.scalars(
            select(Assignment.status).where(Assignment.case_id == uuid.UUID(case["id"]))
        ).all()
    # Every offer expired to its next provider or back to coordinators: the case is still routed.
    assert "expired" in live and status == "routed"


def test_nothing_is_settled_or_run_after_a_unit_of_work_that_rolled_back(database, monkeypatch):
    ran: list[str] = []
    monkeypatch.setattr(case_status, "_sync", lambda _session, key: ran.append(f"sync {key}"))
    with pytest.raises(RuntimeError), unit_of_work(database) as session:
        case_status.status_may_change(session, uuid.uuid4())
        after_commit(session, lambda: ran.append("after"))
        raise RuntimeError("the work failed")
    assert ran == []


def test_sqlite_log_is_emptied_once_the_erasure_is_committed(sqlite_database):
    wal = Path(sqlite_database.url.split("///", 1)[1] + "-wal")
    with unit_of_work(sqlite_database) as session:
        empty_the_log_after_commit(session)
        # Something erased in this unit: the log holds its pages until the commit is done.
        session.execute(Case.__table__.update().where(Case.id == uuid.uuid4()).values(source_reference=""))
    assert not wal.exists() or wal.stat().st_size == 0
