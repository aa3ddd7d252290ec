"""Intake in the database: the one module of referrals that speaks SQL (docs/architecture.md, "One way to the
database"). Intake is the hot path, so every statement is built once and executed with parameters (building
`insert().values(**row)` per request cost more CPU than the database work itself), and rows go through
`db.deferred` (a batch writes each table once per chunk)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from val.cases.models import Case, Offence, TriageDecision, Victim
from val.cases.references import number_in
from val.cases.store import CaseRecord, TriageRecord
from val.db.base import table_of
from val.db.deferred import flush_deferred, insert_row, queued_rows, read_earlier, read_once
from val.db.records import columns_for, record_of, records_in

_INSERT_CASE = {
    dialect: make_insert(table_of(Case))
    .on_conflict_do_nothing(index_elements=["duplicate_key"])
    .returning(table_of(Case).c.number)
    for dialect, make_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_INSERT_VICTIM = insert(table_of(Victim))
_INSERT_OFFENCE = insert(table_of(Offence))
_INSERT_TRIAGE = insert(table_of(TriageDecision))
_SEEN_BEFORE = (
    select(Victim.match_key)
    .join(Case, Case.id == Victim.case_id)
    .where(Victim.match_key.in_(bindparam("keys", expanding=True)), Case.received_at >= bindparam("since"))
)
_BATCH_SEEN = "victims seen before"
_CASE = columns_for(Case, CaseRecord)
_TRIAGE = columns_for(TriageDecision, TriageRecord)


def add_case_unless_duplicate(session: Session, row: dict[str, Any]) -> int | None:
    """Insert the case row, returning its number; None when a case with its duplicate key already exists (or
    a concurrent request is committing one: the database makes us wait for it, then reports the conflict)."""
    number: int | None = session.execute(_INSERT_CASE[session.get_bind().dialect.name], row).scalar()
    return number


def add_record(
    session: Session, victim: dict[str, Any], offence: dict[str, Any], triage: dict[str, Any]
) -> None:
    """The case's victim, offence and triage decision (queued with the batch's rows, within a batch)."""
    insert_row(session, _INSERT_VICTIM, victim)
    seen: set[str] | None = read_earlier(session, _BATCH_SEEN)
    if seen is not None and victim["match_key"] is not None:
        seen.add(victim["match_key"])
    insert_row(session, _INSERT_OFFENCE, offence)
    insert_row(session, _INSERT_TRIAGE, triage)


def read_victims_seen(session: Session, match_keys: Collection[str], since: dt.datetime) -> None:
    """Within a batch: which of its victims' hashes have a case received since `since`, in one statement, so
    that a victim seen nowhere before costs no lookup of their history (`may_have_history`)."""
    read_once(
        session,
        _BATCH_SEEN,
        lambda: (
            set(session.scalars(_SEEN_BEFORE, {"keys": list(match_keys), "since": since}))
            if match_keys
            else set()
        ),
    )


def may_have_history(session: Session, match_key: str) -> bool:
    """False only for a victim a batch knows to have no earlier case: neither in the database when the batch
    began (a case committed meanwhile by another process is missed, as it would be a moment earlier anyway) nor
    among the batch's own referrals so far."""
    seen: set[str] | None = read_earlier(session, _BATCH_SEEN)
    return seen is None or match_key in seen


def victim_queued_with(session: Session, match_key: str) -> bool:
    """Whether a victim row not written yet (an earlier referral of this batch) carries `match_key`."""
    return any(v["match_key"] == match_key for v in queued_rows(session, _INSERT_VICTIM))


def write_queued(session: Session) -> None:
    """Write the batch's queued rows now, so the next read sees them."""
    flush_deferred(session)


def case_by_duplicate_key(session: Session, key: str) -> tuple[CaseRecord, TriageRecord] | None:
    row = session.execute(
        select(*_CASE, *_TRIAGE)
        .join(TriageDecision, TriageDecision.case_id == Case.id)
        .where(Case.duplicate_key == key)
    ).first()
    if row is None:
        return None
    case, triage = records_in(row, CaseRecord, TriageRecord)
    return case, triage


def submitted_case(session: Session, submitted_by: uuid.UUID, case_id: uuid.UUID) -> CaseRecord | None:
    """The case, when `submitted_by` submitted it."""
    row = session.execute(select(*_CASE).where(Case.id == case_id, Case.submitted_by == submitted_by)).first()
    return record_of(CaseRecord, row) if row is not None else None


def submitted_cases(
    session: Session,
    submitted_by: uuid.UUID,
    *,
    reference: str | None,
    source_reference: str | None,
    limit: int,
) -> list[CaseRecord]:
    """The cases `submitted_by` submitted with this VAL reference or this source reference (any case), newest
    first."""
    query = select(*_CASE).where(Case.submitted_by == submitted_by)
    if reference is not None:
        number = number_in(reference)
        if number is None:
            return []
        query = query.where(Case.number == number)
    if source_reference is not None:
        query = query.where(func.lower(Case.source_reference) == source_reference.strip().lower())
    rows = session.execute(query.order_by(Case.received_at.desc()).limit(limit))
    found = [record_of(CaseRecord, row) for row in rows]
    return [c for c in found if reference is None or c.reference == reference.strip().upper()]
