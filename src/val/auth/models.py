from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, PortableJSON, UTCDateTime


class Credential(Base):
    """A bearer API key. Only the SHA-256 of the key is kept; the key itself is shown once."""

    __tablename__ = "credentials"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("providers.id"), default=None)
    # An intake credential submits referrals from these police record systems only (lower case), so no
    # sender can claim another system's references (docs/domain.md duplicate key).
    source_systems: Mapped[list[str] | None] = mapped_column(PortableJSON, default=None)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class AuthFailure(Base):
    """One failed authentication, by client address: the shared count of the failed-auth throttle where VAL
    has no Redis (the embedded mode), so every API process counts the same failures. Kept one minute."""

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_client_at", "client", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Person(Base):
    """Someone who signs in through their organisation's identity provider: recorded the first time they are
    seen, so ownership, notes and the audit name the same person across sign-ins. Issuer and subject identify
    them; name, email and role are what their last token said."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    role: Mapped[str] = mapped_column(String(20))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # `val people disable`: refused at once, even while their token is still valid.
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
