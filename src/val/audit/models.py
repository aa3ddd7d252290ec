from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, UTCDateTime


class AuditEvent(Base):
    """Who did what to which record, and when. Append-only: nothing in VAL updates or deletes these."""

    __tablename__ = "audit_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    credential_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    # For lists and searches: how many results were shown (never what was searched for).
    result_count: Mapped[int | None] = mapped_column(default=None)
    # What the action alone does not say (the URL an endpoint was set to); never personal data.
    detail: Mapped[str | None] = mapped_column(String(300), default=None)
