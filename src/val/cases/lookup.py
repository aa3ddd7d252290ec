"""Reading a case record whole: the case with its triage decision, victim and offence."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.cases.models import Case, Offence, TriageDecision, Victim
from val.errors import NotFoundError


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


def case_id_for_reference(session: Session, reference: str) -> uuid.UUID | None:
    """The case a VAL reference (VAL-YYYY-NNNNNN, any case) names; None when it names none."""
    wanted = Case.number_in(reference)
    if wanted is None:
        return None
    for case_id, received_at, number in session.execute(
        select(Case.id, Case.received_at, Case.number).where(Case.number == wanted)
    ):
        if Case.reference_for(received_at, number) == reference.strip().upper():
            return case_id
    return None


def references_of(session: Session, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The VAL reference of each case."""
    if not case_ids:
        return {}
    rows = session.execute(select(Case.id, Case.received_at, Case.number).where(Case.id.in_(case_ids)))
    return {case_id: Case.reference_for(received_at, number) for case_id, received_at, number in rows}
