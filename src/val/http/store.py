"""Idempotency keys in the database: the one module of the HTTP layer that speaks SQL (docs/architecture.md, "One
way to the database"). Statements on the table, not the mapped class, built once: the ORM's bulk insert and
update paths cost twice as much CPU per call, on every request with a key."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from val.db.base import rows_affected, table_of
from val.db.records import columns_for, record_of
from val.http.models import IdempotencyRecord


@dataclass(frozen=True)
class KeyRecord:
    id: uuid.UUID
    request_fingerprint: str
    locked_at: dt.datetime
    expires_at: dt.datetime
    response_status: int | None
    response_body: dict[str, Any] | None


_RECORDS = table_of(IdempotencyRecord)
# A key already claimed inserts nothing and raises nothing, so the request's transaction carries on (no
# savepoint, no error to undo); a claim still uncommitted makes the database wait for its request to end.
_INSERT_CLAIM = {
    dialect: make_insert(_RECORDS)
    .on_conflict_do_nothing(index_elements=["credential_id", "key"])
    .returning(_RECORDS.c.id)
    for dialect, make_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_STORE_RESPONSE = (
    update(_RECORDS)
    .where(_RECORDS.c.id == bindparam("record_id"))
    .values(response_status=bindparam("status"), response_body=bindparam("body"))
)
_KEY = columns_for(IdempotencyRecord, KeyRecord)


def claim(
    session: Session,
    credential_id: uuid.UUID,
    key: str,
    fingerprint: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> uuid.UUID | None:
    """The new claim's id; None when the credential's key is already claimed."""
    claimed: uuid.UUID | None = session.execute(
        _INSERT_CLAIM[session.get_bind().dialect.name],
        {
            "id": uuid.uuid4(),
            "credential_id": credential_id,
            "key": key,
            "request_fingerprint": fingerprint,
            "locked_at": now,
            "expires_at": expires_at,
        },
    ).scalar()
    return claimed


def claimed(session: Session, credential_id: uuid.UUID, key: str) -> KeyRecord | None:
    row = session.execute(
        select(*_KEY).where(IdempotencyRecord.credential_id == credential_id, IdempotencyRecord.key == key)
    ).first()
    return record_of(KeyRecord, row) if row is not None else None


def take_over(session: Session, record: KeyRecord, now: dt.datetime) -> bool:
    """Lock the claim anew, unless someone else did since it was read."""
    return bool(
        rows_affected(
            session.execute(
                update(_RECORDS)
                .where(_RECORDS.c.id == record.id, _RECORDS.c.locked_at == record.locked_at)
                .values(locked_at=now)
            )
        )
    )


def keep_answer(session: Session, record_id: uuid.UUID, status: int, body: Any) -> None:
    session.execute(_STORE_RESPONSE, {"record_id": record_id, "status": status, "body": body})


def release(session: Session, record_id: uuid.UUID) -> None:
    session.execute(delete(_RECORDS).where(_RECORDS.c.id == record_id))


def purge_expired(session: Session, now: dt.datetime) -> int:
    """Drop keys past their retention: how many."""
    return rows_affected(session.execute(delete(_RECORDS).where(_RECORDS.c.expires_at <= now)))
