"""Audit events are written in the caller's transaction, so a change and its audit trail commit together."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from val.audit import store
from val.audit.store import AuditRecord
from val.auth.roles import Principal
from val.db.base import utcnow
from val.db.paging import Page

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def record(
    session: Session,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_id: object,
    request_id: str | None,
    *,
    result_count: int | None = None,
    detail: str | None = None,
) -> None:
    store.add(
        session,
        id=uuid.uuid4(),
        at=utcnow(),
        credential_id=principal.credential_id,
        role=str(principal.role),
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        request_id=request_id,
        result_count=result_count,
        detail=detail[:300] if detail is not None else None,
    )


def record_each(
    session: Session,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_ids: list[object],
    request_id: str | None,
) -> None:
    """One event per entity (each case a person was shown), written in one statement."""
    at = utcnow()
    store.add_many(
        session,
        [
            {
                "id": uuid.uuid4(),
                "at": at,
                "credential_id": principal.credential_id,
                "role": str(principal.role),
                "action": action,
                "entity_type": entity_type,
                "entity_id": str(entity_id),
                "request_id": request_id,
                "result_count": None,
                "detail": None,
            }
            for entity_id in entity_ids
        ],
    )


def list_events(
    session: Session,
    principal: Principal,
    request_id: str | None,
    *,
    entity_id: str | None,
    credential_id: uuid.UUID | None,
    since: dt.datetime | None,
    limit: int,
    after: list[Any] | None,
) -> Page[AuditRecord]:
    page = store.page(
        session, entity_id=entity_id, credential_id=credential_id, since=since, limit=limit, after=after
    )
    record(
        session,
        principal,
        "audit.read",
        "audit_events",
        entity_id or "list",
        request_id,
        result_count=len(page.items),
    )
    return page


def record_board_query(
    session: Session,
    principal: Principal,
    report: str,
    query: Mapping[str, Any],
    request_id: str | None,
) -> None:
    """A Board figure asked for: which, for what period and grouping (docs/compliance.md: a run of differencing
    queries shows in the trail)."""
    asked = f"{query['from_']}..{query['to']}"
    if query.get("group_by"):
        asked += " by " + ",".join(query["group_by"])
    record(session, principal, f"board.{report}", "board_query", asked[:64], request_id)
