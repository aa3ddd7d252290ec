"""The case itself in the database: the one module of this feature that speaks SQL (docs/architecture.md, "One
way to the database"). It takes a session and plain values and returns frozen records, never mapped objects;
a change is a statement here, so nothing else holds a copy that could go stale."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from val.cases.activity import ActivityKind
from val.cases.matching import MatchKeyer
from val.cases.models import Case, CaseActivity, Offence, TriageDecision, Victim
from val.cases.references import number_in, reference_for
from val.cases.repeats import RepeatHistory, window_start
from val.cases.states import CASE_TRANSITIONS
from val.db.base import table_of
from val.db.records import columns_for, record_of, records_in
from val.db.transitions import transition
from val.errors import NotFoundError
from val.triage.domain import CaseStatus


@dataclass(frozen=True)
class CaseRecord:
    number: int
    id: uuid.UUID
    status: str
    source_system: str
    source_reference: str
    submitted_by: uuid.UUID
    reported_at: dt.datetime
    received_at: dt.datetime
    policing_area: str
    consent_support_referral: str
    consent_recorded_at: dt.datetime | None
    owner_id: uuid.UUID | None
    version: int
    etag_secret: str | None
    closed_at: dt.datetime | None
    closure_outcome: str | None
    risk_level: str | None
    enhanced_rights: bool
    earliest_open_due_on: dt.date | None
    repeat_previous_cases: int
    repeat_last_received_on: dt.date | None
    anonymised_at: dt.datetime | None

    @property
    def reference(self) -> str:
        return reference_for(self.received_at, self.number)


@dataclass(frozen=True)
class VictimRecord:
    given_name: str | None
    family_name: str | None
    date_of_birth: dt.date | None
    gender: str | None
    postcode: str | None
    policing_area: str
    relationship: str
    contact: dict[str, Any]
    language: str | None
    needs_interpreter: bool
    vulnerabilities: list[str]
    persistently_targeted: bool
    intimidated: bool
    in_hospital: bool
    children_in_household: int


@dataclass(frozen=True)
class OffenceRecord:
    home_office_code: str | None
    description: str | None
    occurred_at: dt.datetime | None
    flags: list[str]
    hate_strands: list[str]
    rtc_outcome: str | None


@dataclass(frozen=True)
class TriageRecord:
    decided_at: dt.datetime
    crime_types: list[str]
    risk_level: str | None
    marac: bool
    enhanced_rights: bool
    enhanced_reasons: list[str]
    consent_model: str
    age_at_offence: int
    rules_version: str
    explanation: list[dict[str, str]]
    risk_input: dict[str, Any]


@dataclass(frozen=True)
class ActivityRecord:
    at: dt.datetime
    kind: str
    actor: str
    summary: str


class CaseBundle(NamedTuple):
    case: CaseRecord
    triage: TriageRecord
    victim: VictimRecord
    offence: OffenceRecord


_CASE = columns_for(Case, CaseRecord)
_TRIAGE = columns_for(TriageDecision, TriageRecord)
_VICTIM = columns_for(Victim, VictimRecord)
_OFFENCE = columns_for(Offence, OffenceRecord)
_BUNDLE = (
    select(*_CASE, *_TRIAGE, *_VICTIM, *_OFFENCE)
    .join(TriageDecision, TriageDecision.case_id == Case.id)
    .join(Victim, Victim.case_id == Case.id)
    .join(Offence, Offence.case_id == Case.id)
)


def bundle(session: Session, case_id: uuid.UUID, *, for_update: bool = False) -> CaseBundle:
    """The case with its triage decision, victim and offence; 404 when there is none. `for_update` locks the
    case and its victim row (PostgreSQL), so concurrent changes queue up."""
    query = _BUNDLE.where(Case.id == case_id)
    if for_update:
        query = query.with_for_update(of=[Case, Victim])
    row = session.execute(query).first()
    if row is None:
        raise NotFoundError("No case with this id.")
    return _bundle_of(row)


def _bundle_of(row: Sequence[Any]) -> CaseBundle:
    return CaseBundle(*records_in(row, CaseRecord, TriageRecord, VictimRecord, OffenceRecord))


def bundles_received(session: Session, start: dt.datetime, end: dt.datetime) -> Iterator[CaseBundle]:
    """Every case received in [start, end), in the order received, streamed 500 at a time."""
    rows = session.execute(
        _BUNDLE.where(Case.received_at >= start, Case.received_at < end)
        .order_by(Case.number)
        .execution_options(yield_per=500)
    )
    for row in rows:
        yield _bundle_of(row)


def case_of(session: Session, case_id: uuid.UUID, *, for_update: bool = False) -> CaseRecord:
    """The case row alone; 404 when there is none."""
    query = select(*_CASE).where(Case.id == case_id)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).first()
    if row is None:
        raise NotFoundError("No case with this id.")
    return record_of(CaseRecord, row)


def cases_of(session: Session, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, CaseRecord]:
    if not case_ids:
        return {}
    rows = session.execute(select(*_CASE).where(Case.id.in_(case_ids)))
    return {record.id: record for record in (record_of(CaseRecord, row) for row in rows)}


def existing(session: Session, case_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    return set(session.scalars(select(Case.id).where(Case.id.in_(case_ids))))


def oldest_first(session: Session, case_ids: set[uuid.UUID]) -> list[uuid.UUID]:
    return list(
        session.scalars(select(Case.id).where(Case.id.in_(case_ids)).order_by(Case.received_at, Case.id))
    )


def consent_model_of(session: Session, case_id: uuid.UUID) -> str:
    return session.scalars(
        select(TriageDecision.consent_model).where(TriageDecision.case_id == case_id)
    ).one()


def change(session: Session, case_id: uuid.UUID, **values: Any) -> None:
    """Set columns of the case other than its status (consent, owner, closure); `move` changes the status."""
    if "status" in values:
        raise ValueError("a case's status changes only by `move`, through its transition table")
    session.execute(update(Case).where(Case.id == case_id).values(**values))


def new_version(session: Session, case_id: uuid.UUID) -> None:
    """One more version of the case, for ETags: every change a coordinator makes is one."""
    session.execute(update(Case).where(Case.id == case_id).values(version=Case.version + 1))


def move(session: Session, case: CaseRecord, target: CaseStatus) -> None:
    """Change the case's status as its transition table allows (409 otherwise), guarded by the status it was
    read in; a new version for ETags."""
    if target != case.status:
        transition(
            session,
            Case,
            CASE_TRANSITIONS,
            case.status,
            target,
            Case.id == case.id,
            version=Case.version + 1,
        )


def change_contact(
    session: Session, case_id: uuid.UUID, changes: dict[str, Any], phone_e164: str | None
) -> None:
    """Merge `changes` into the victim's safe-contact details (`phone_e164` when the phone changed)."""
    victim_id, contact = session.execute(
        select(Victim.id, Victim.contact).where(Victim.case_id == case_id).with_for_update()
    ).one()
    values: dict[str, Any] = {"contact": {**contact, **changes}}
    if "phone" in changes:
        values["phone_e164"] = phone_e164
    session.execute(update(Victim).where(Victim.id == victim_id).values(**values))


_INSERT_ACTIVITY = insert(table_of(CaseActivity))


def record_activity(
    session: Session, case_id: uuid.UUID, kind: ActivityKind, summary: str, *, actor: str, at: dt.datetime
) -> None:
    session.execute(
        _INSERT_ACTIVITY,
        {
            "id": uuid.uuid4(),
            "case_id": case_id,
            "at": at,
            "kind": ActivityKind(kind).value,
            "actor": actor,
            "summary": summary,
        },
    )


def activity_of(session: Session, case_id: uuid.UUID) -> list[ActivityRecord]:
    rows = session.execute(
        select(*columns_for(CaseActivity, ActivityRecord)).where(CaseActivity.case_id == case_id)
    )
    return [record_of(ActivityRecord, row) for row in rows]


def case_id_for_reference(session: Session, reference: str) -> uuid.UUID | None:
    """The case a VAL reference (VAL-YYYY-NNNNNN, any case) names; None when it names none."""
    wanted = number_in(reference)
    if wanted is None:
        return None
    for case_id, received_at, number in session.execute(
        select(Case.id, Case.received_at, Case.number).where(Case.number == wanted)
    ):
        if reference_for(received_at, number) == reference.strip().upper():
            return case_id
    return None


def references_of(session: Session, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The VAL reference of each case."""
    if not case_ids:
        return {}
    rows = session.execute(select(Case.id, Case.received_at, Case.number).where(Case.id.in_(case_ids)))
    return {case_id: reference_for(received_at, number) for case_id, received_at, number in rows}


def reference_of(session: Session, case_id: uuid.UUID) -> str:
    received_at, number = session.execute(
        select(Case.received_at, Case.number).where(Case.id == case_id)
    ).one()
    return reference_for(received_at, number)


# Built once: building the query per intake cost more CPU than running it (its cache key is computed each time).
# The victim's hash leads, fenced off as a materialised CTE: a plan PostgreSQL chose while the tables were small
# (a first import into a new database) walked every case of the year for each referral instead, and a prepared
# statement kept that plan; an import of 20,000 referrals ran at 35 a second.
_SAME_VICTIM = (
    select(Victim.case_id)
    .where(Victim.match_key == bindparam("match_key"))
    .cte("same_victim")
    .prefix_with("MATERIALIZED")
)
_HISTORY = (
    select(
        func.count(Case.id),
        func.max(Case.received_at),
        func.max(Case.received_at).filter(TriageDecision.marac.is_(True)),
    )
    .select_from(_SAME_VICTIM)
    .join(Case, Case.id == _SAME_VICTIM.c.case_id)
    .join(TriageDecision, TriageDecision.case_id == Case.id)
    .where(Case.received_at >= bindparam("since"), Case.received_at <= bindparam("now"))
)


def repeat_history(session: Session, match_key: str | None, now: dt.datetime) -> RepeatHistory:
    """Cases of the same victim received in the 12 months before `now` (anonymised ones carry no hash)."""
    if match_key is None:
        return RepeatHistory()
    count, last, last_marac = session.execute(
        _HISTORY, {"match_key": match_key, "since": window_start(now), "now": now}
    ).one()
    return RepeatHistory(count, _day(last), _day(last_marac))


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def backfill_match_keys(session: Session, keyer: MatchKeyer) -> int:
    """Victims recorded before matching existed get their hash (anonymised ones have nothing to hash)."""
    filled = 0
    rows = session.execute(
        select(Victim.id, Victim.family_name, Victim.date_of_birth, Victim.postcode).where(
            Victim.match_key.is_(None), Victim.date_of_birth.is_not(None), Victim.family_name.is_not(None)
        )
    ).all()
    for victim_id, family_name, born, postcode in rows:
        key = keyer.key_for(family_name, born, postcode) if born is not None else None
        if key is not None:
            session.execute(update(Victim).where(Victim.id == victim_id).values(match_key=key))
            filled += 1
    return filled
