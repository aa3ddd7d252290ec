"""One page of a case's own records (events, contact attempts, notes): 404 for an unknown case, keyset order,
the read audited with how many were shown."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.lookup import case_bundle
from val.db.paging import Page, keyset, page_of

R = TypeVar("R")


def page_of_case(
    session: Session,
    principal: Principal,
    model: type[R],
    case_id: uuid.UUID,
    *,
    order: tuple[str, str],
    descending: bool,
    limit: int,
    after: list[Any] | None,
    action: str,
    request_id: str | None,
) -> Page[R]:
    """`order` names the model's sort column and its unique tie-breaker."""
    case_bundle(session, case_id)
    keys = [getattr(model, name) for name in order]
    query = select(model).where(model.case_id == case_id)  # type: ignore[attr-defined]
    query = keyset(query, keys, descending=descending, after=after).limit(limit + 1)
    page = page_of(list(session.scalars(query)), limit, lambda row: [getattr(row, name) for name in order])
    audit(session, principal, action, "case", case_id, request_id, result_count=len(page.items))
    return page
