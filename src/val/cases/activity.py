"""The case's own history: changes no other record keeps (consent, contact details, owner, closure,
reopening). Written in the unit of work of the change; read by the timeline."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, Uuid, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from val.db.base import Base, UTCDateTime, table_of

SYSTEM_ACTOR = "VAL"


class ActivityKind(StrEnum):
    CONSENT_CHANGED = "consent_changed"
    CONTACT_CHANGED = "contact_changed"
    OWNER_CHANGED = "owner_changed"
    CLOSED = "closed"
    REOPENED = "reopened"


class CaseActivity(Base):
    __tablename__ = "case_activity"
    __table_args__ = (Index("ix_case_activity_case_at", "case_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(100))
    # Never personal data: what changed, not what it changed to.
    summary: Mapped[str] = mapped_column(Text)


_INSERT = insert(table_of(CaseActivity))


def record_activity(
    session: Session, case_id: uuid.UUID, kind: ActivityKind, summary: str, *, actor: str, at: dt.datetime
) -> None:
    session.execute(
        _INSERT,
        {
            "id": uuid.uuid4(),
            "case_id": case_id,
            "at": at,
            "kind": ActivityKind(kind).value,
            "actor": actor,
            "summary": summary,
        },
    )
