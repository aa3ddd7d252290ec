"""One page of a case's own records (events, contact attempts, notes): 404 for an unknown case, keyset order,
the read audited with how many were shown."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, TypeVar

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.casework.store import records
from val.db.paging import Page

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

R = TypeVar("R")


def page_of_case(
    session: Session,
    principal: Principal,
    record: type[R],
    case_id: uuid.UUID,
    *,
    descending: bool,
    limit: int,
    after: list[Any] | None,
    action: str,
    request_id: str | None,
) -> Page[R]:
    """`record` names what is paged (AttemptRecord, NoteRecord, EventRecord): the store knows its order."""
    page = records.page_of_case(session, record, case_id, descending=descending, limit=limit, after=after)
    audit(session, principal, action, "case", case_id, request_id, result_count=len(page.items))
    return page
