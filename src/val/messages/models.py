from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, UTCDateTime


class Message(Base):
    """One message to a victim. The row is the outbox: committed with the change that asked for it, due at
    `next_try_at`, held by a worker while `lease_until` is in the future, kept with what became of it. What it
    said is not kept: Notify's template has the words, and the personalisation is built when it is sent, from
    the case as it is then."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_due", "status", "next_try_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    template: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    sender: Mapped[str] = mapped_column(String(20))  # coordinator, or val (VAL's own)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the coordinator; None for VAL's own
    status: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str | None] = mapped_column(String(40))  # the safety rule that cancelled it
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    notify_id: Mapped[str | None] = mapped_column(String(40), index=True)
    failure: Mapped[str | None] = mapped_column(String(300))  # Notify's reason, or why VAL gave up
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    receipt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
