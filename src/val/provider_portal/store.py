"""What a provider reads of its referrals, from the database (docs/architecture.md, "One way to the database"):
only assignments of the asking provider, as frozen records."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.cases.models import Case, Offence, TriageDecision, Victim
from val.cases.store import CaseRecord, OffenceRecord, TriageRecord, VictimRecord
from val.db.paging import Page, keyset, page_of
from val.db.records import columns_for, records_in
from val.routing.models import Assignment
from val.routing.store import AssignmentRecord

_ASSIGNMENT = columns_for(Assignment, AssignmentRecord)
_CASE = columns_for(Case, CaseRecord)
_PARTS = (
    (AssignmentRecord, _ASSIGNMENT),
    (CaseRecord, _CASE),
    (VictimRecord, columns_for(Victim, VictimRecord)),
    (OffenceRecord, columns_for(Offence, OffenceRecord)),
    (TriageRecord, columns_for(TriageDecision, TriageRecord)),
)


def page_of_referrals(
    session: Session, provider_id: str | None, status: str | None, *, limit: int, after: list[Any] | None
) -> Page[tuple[AssignmentRecord, CaseRecord]]:
    """The provider's assignments with their cases, newest offer first."""
    query = (
        select(*_ASSIGNMENT, *_CASE)
        .join(Case, Case.id == Assignment.case_id)
        .where(Assignment.provider_id == provider_id)
    )
    if status:
        query = query.where(Assignment.status == status)
    keys = [Assignment.offered_at, Assignment.id]
    query = keyset(query, keys, descending=True, after=after).limit(limit + 1)
    pairs = [tuple(records_in(row, AssignmentRecord, CaseRecord)) for row in session.execute(query)]
    page = page_of(pairs, limit, lambda pair: [pair[0].offered_at, pair[0].id])
    return Page([(a, c) for a, c in page.items], page.next_after)


def referral(
    session: Session, provider_id: str | None, assignment_id: uuid.UUID
) -> tuple[AssignmentRecord, CaseRecord, VictimRecord, OffenceRecord, TriageRecord] | None:
    """One of the provider's assignments with its whole case; None when it is not the provider's."""
    row = session.execute(
        select(*(column for _, columns in _PARTS for column in columns))
        .join(Case, Case.id == Assignment.case_id)
        .join(Victim, Victim.case_id == Case.id)
        .join(Offence, Offence.case_id == Case.id)
        .join(TriageDecision, TriageDecision.case_id == Case.id)
        .where(Assignment.id == assignment_id, Assignment.provider_id == provider_id)
    ).first()
    if row is None:
        return None
    assignment, case, victim, offence, decision = records_in(row, *(record for record, _ in _PARTS))
    return assignment, case, victim, offence, decision
