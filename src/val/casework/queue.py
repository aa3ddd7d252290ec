"""The coordinator's work queue and search (docs/casework.md). The order and the search are the store's
(`casework/store/queue.py`); the read is audited here."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.audit.service import record_each
from val.auth.roles import Principal
from val.casework.filters import CaseFilters
from val.casework.store.queue import page_of_cases
from val.db.paging import Page

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["CaseFilters", "list_cases"]


def list_cases(
    session: Session,
    principal: Principal,
    filters: CaseFilters,
    *,
    sort: str,
    limit: int,
    after: list[Any] | None,
    today: dt.date,
    request_id: str | None,
) -> Page[dict[str, Any]]:
    """One page of the work queue. Audited with how many cases were shown, and each case shown (its victim's
    name is on the page, so the victim's access log must say who saw it) — never the search terms, which are
    personal data."""
    page = page_of_cases(
        session, principal.credential_id, filters, sort=sort, limit=limit, after=after, today=today
    )
    audit(session, principal, "cases.listed", "case", "list", request_id, result_count=len(page.items))
    record_each(session, principal, "case.listed", "case", [item["id"] for item in page.items], request_id)
    return page
