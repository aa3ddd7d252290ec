"""Audit events are written in the caller's transaction, so a change and its audit trail commit together."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from val.audit.models import AuditEvent
from val.auth.roles import Principal
from val.db.base import table_of, utcnow
from val.db.deferred import insert_row
from val.db.paging import Page, keyset, page_of

_INSERT = insert(table_of(AuditEvent))


def record(
    session: Session,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_id: object,
    request_id: str | None,
    *,
    result_count: int | None = None,
) -> None:
    # A prebuilt Core insert: audit rows are never read back in the same unit of work.
    insert_row(
        session,
        _INSERT,
        {
            "id": uuid.uuid4(),
            "at": utcnow(),
            "credential_id": principal.credential_id,
            "role": str(principal.role),
            "action": action,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "request_id": request_id,
            "result_count": result_count,
        },
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
) -> Page[AuditEvent]:
    query = select(AuditEvent)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if credential_id:
        query = query.where(AuditEvent.credential_id == credential_id)
    if since:
        query = query.where(AuditEvent.at >= since)
    query = keyset(query, [AuditEvent.at, AuditEvent.id], descending=True, after=after).limit(limit + 1)
    page = page_of(list(session.scalars(query)), limit, lambda e: [e.at, e.id])
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
