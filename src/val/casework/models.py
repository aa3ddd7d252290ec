"""What coordinators add to a case: contact attempts, notes and same-person links."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, UTCDateTime


class ContactAttempt(Base):
    __tablename__ = "contact_attempts"
    __table_args__ = (Index("ix_contact_attempts_case_at", "case_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(30))
    recorded_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CaseNote(Base):
    """Immutable: a correction is a new note that names the one it corrects. Coordinators only, ever."""

    __tablename__ = "case_notes"
    __table_args__ = (Index("ix_case_notes_case_created", "case_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    corrects: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)


class SamePersonLink(Base):
    """A coordinator's confirmation that two cases are about the same person. The repeat-victim match is a
    hint (twins share a family name and a date of birth); only a confirmed link joins cases for the
    victim's subject access export. Stored once per pair, the lower id first."""

    __tablename__ = "same_person_links"
    __table_args__ = (
        UniqueConstraint("case_id", "other_case_id"),
        Index("ix_same_person_links_other", "other_case_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    other_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    confirmed_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    confirmed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Why, when the two victims' recorded details differ (coordinators only, like notes).
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    # An undone link joins nothing; it is kept, with who undid it, when and why.
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    undone_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    undo_reason: Mapped[str | None] = mapped_column(Text, default=None)
