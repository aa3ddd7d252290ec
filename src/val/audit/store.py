"""Audit events in the database: the one module of this feature that speaks SQL. Append-only: it inserts and
reads, and returns plain values."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from val.audit.models import AuditEvent
from val.auth.store import PRINCIPALS
from val.db.base import table_of
from val.db.deferred import insert_row
from val.db.paging import Page, keyset, page_of

# A prebuilt Core insert: audit rows are never read back in the same unit of work.
_INSERT = insert(table_of(AuditEvent))
_COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.credential_id,
    AuditEvent.role,
    AuditEvent.action,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.request_id,
    AuditEvent.result_count,
    AuditEvent.detail,
)


@dataclass(frozen=True)
class AuditRecord:
    id: uuid.UUID
    at: dt.datetime
    credential_id: uuid.UUID | None
    role: str
    action: str
    entity_type: str
    entity_id: str
    request_id: str | None
    result_count: int | None
    detail: str | None
    # Who the credential_id is: a key's name, or a signed-in person's name (None: VAL itself).
    actor: str | None


def add(session: Session, **values: Any) -> None:
    """One event, written with the unit of work's other rows (one executemany within a batch)."""
    insert_row(session, _INSERT, values)


def add_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Several events in one statement (executemany)."""
    if rows:
        insert_row(session, _INSERT, rows)


def page(
    session: Session,
    *,
    entity_id: str | None,
    credential_id: uuid.UUID | None,
    since: dt.datetime | None,
    limit: int,
    after: list[Any] | None,
) -> Page[AuditRecord]:
    """Newest first, `limit` at a time, after the event whose (at, id) was `after`."""
    query = select(*_COLUMNS, PRINCIPALS.c.name.label("actor")).outerjoin(
        PRINCIPALS, PRINCIPALS.c.id == AuditEvent.credential_id
    )
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if credential_id:
        query = query.where(AuditEvent.credential_id == credential_id)
    if since:
        query = query.where(AuditEvent.at >= since)
    query = keyset(query, [AuditEvent.at, AuditEvent.id], descending=True, after=after).limit(limit + 1)
    rows = [AuditRecord(**row._asdict()) for row in session.execute(query)]
    return page_of(rows, limit, lambda e: [e.at, e.id])
