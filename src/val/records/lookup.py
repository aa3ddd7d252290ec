"""Reading a case record whole: the case with its triage decision, victim and offence."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.errors import NotFoundError
from val.records.models import Case, Offence, TriageDecision, Victim


def case_bundle(
    session: Session, case_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Case, TriageDecision, Victim, Offence]:
    """`for_update` locks the case and its victim row (PostgreSQL), so concurrent changes queue up."""
    query = (
        select(Case, TriageDecision, Victim, Offence)
        .join(TriageDecision, TriageDecision.case_id == Case.id)
        .join(Victim, Victim.case_id == Case.id)
        .join(Offence, Offence.case_id == Case.id)
        .where(Case.id == case_id)
    )
    if for_update:
        query = query.with_for_update(of=[Case, Victim])
    row = session.execute(query).first()
    if row is None:
        raise NotFoundError("No case with this id.")
    case, decision, victim, offence = row
    return case, decision, victim, offence
