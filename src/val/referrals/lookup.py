"""A sending system's own referrals: by id, by VAL reference or by its own reference. Anyone else's are as
good as absent."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.store import CaseRecord
from val.referrals import store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def referral_status(
    session: Session, principal: Principal, case_id: uuid.UUID, request_id: str | None
) -> CaseRecord | None:
    """A referral as its submitter may see it; anyone else's is as good as absent."""
    case = store.submitted_case(session, principal.credential_id, case_id)
    if case is None:
        return None
    audit(session, principal, "referral.status_read", "case", case.id, request_id)
    return case


def own_referrals_by_reference(
    session: Session,
    principal: Principal,
    *,
    reference: str | None,
    source_reference: str | None,
    request_id: str | None,
    limit: int = 50,
) -> list[CaseRecord]:
    """The referrals this credential submitted with this VAL reference (VAL-YYYY-NNNNNN) or this source
    reference (any case), newest first; anyone else's are as good as absent."""
    found = store.submitted_cases(
        session,
        principal.credential_id,
        reference=reference,
        source_reference=source_reference,
        limit=limit,
    )
    for case in found:
        audit(session, principal, "referral.status_read", "case", case.id, request_id)
    return found
