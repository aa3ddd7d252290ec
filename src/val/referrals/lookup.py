"""A sending system's own referrals: by id, by VAL reference or by its own reference. Anyone else's are as
good as absent."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.models import Case


def referral_status(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> Case | None:
    """A referral as its submitter may see it; anyone else's is as good as absent."""
    case = session.scalar(
        select(Case).where(Case.id == case_id, Case.submitted_by == principal.credential_id)
    )
    if case is None:
        return None
    audit(session, principal, "referral.status_read", "case", case.id, request_id)
    return case


LOOKUP_LIMIT = 50  # one source record names at most a few victims


def own_referrals_by_reference(
    session: Session,
    principal: Principal,
    *,
    reference: str | None,
    source_reference: str | None,
    request_id: str | None,
) -> list[Case]:
    """The referrals this credential submitted with this VAL reference (VAL-YYYY-NNNNNN) or this source
    reference (any case), newest first; anyone else's are as good as absent."""
    query = select(Case).where(Case.submitted_by == principal.credential_id)
    if reference is not None:
        number = Case.number_in(reference)
        if number is None:
            return []
        query = query.where(Case.number == number)
    if source_reference is not None:
        query = query.where(func.lower(Case.source_reference) == source_reference.strip().lower())
    found = [
        case
        for case in session.scalars(query.order_by(Case.received_at.desc()).limit(LOOKUP_LIMIT))
        if reference is None or case.reference == reference.strip().upper()
    ]
    for case in found:
        audit(session, principal, "referral.status_read", "case", case.id, request_id)
    return found
