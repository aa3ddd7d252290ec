from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.models import Case
from val.compliance.service import record_event

__all__ = ["read_case", "record_event"]


def read_case(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> Case | None:
    """The whole case, for a coordinator; the read itself is audited."""
    case = session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            joinedload(Case.triage),
            joinedload(Case.victim),
            joinedload(Case.offence),
            selectinload(Case.compliance_points),
            selectinload(Case.assignments),
        )
    )
    if case is None:
        return None
    audit(session, principal, "case.read", "case", case.id, request_id)
    session.commit()
    return case
