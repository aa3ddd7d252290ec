from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Index, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, UTCDateTime


class FeedbackLink(Base):
    """A one-time link to the feedback page. Only the token's SHA-256 is kept: the link itself exists only in the
    message Notify sent."""

    __tablename__ = "feedback_links"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class FeedbackAnswer(Base):
    """What a victim answered. The grouping the Board reads (month, crime type, policing area) is copied from the
    case when the answer arrives, as compliance points copy theirs, so figures survive the case's anonymisation."""

    __tablename__ = "feedback_answers"
    __table_args__ = (Index("ix_feedback_answers_answered", "answered_on"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answered_on: Mapped[dt.date]  # London date, for the Board's periods
    satisfaction: Mapped[int] = mapped_column(SmallInteger)  # 1 very dissatisfied … 5 very satisfied
    told_once: Mapped[str] = mapped_column(String(10))  # yes, no, not_sure
    listened_to: Mapped[str] = mapped_column(String(10))  # yes, partly, no
    comments: Mapped[str | None] = mapped_column(Text)  # coordinators only; erased by retention
    crime_type: Mapped[str] = mapped_column(String(40))
    policing_area: Mapped[str] = mapped_column(String(40))
