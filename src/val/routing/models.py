from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, PortableJSON, UTCDateTime


class Assignment(Base):
    """One service offered to one provider for one case (or left unassigned for coordinators)."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_provider_status", "provider_id", "status"),
        Index("ix_assignments_status_respond_by", "status", "respond_by"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    service: Mapped[str] = mapped_column(String(40))
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("providers.id"))
    status: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(60))
    because: Mapped[str] = mapped_column(Text)
    requested_service: Mapped[str | None] = mapped_column(String(40))
    respond_by: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    offered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    decline_code: Mapped[str | None] = mapped_column(String(20), default=None)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(PortableJSON)
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Webhooks sent about this assignment so far: each carries the next number as its `sequence`, so a provider
    # can tell an event that arrives late (after a receiver outage) from the latest (docs/providers.md).
    events_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
