from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, UTCDateTime


class Alert(Base):
    """Something a coordinator must act on: a route with no provider, a webhook that could not be delivered."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_open", "resolved_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The case's VAL reference when the raiser knows it without a query (a webhook's payload carries it);
    # otherwise it is looked up from case_id when alerts are listed.
    case_reference: Mapped[str | None] = mapped_column(String(20), default=None)
    assignment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    delivery_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    detail: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
