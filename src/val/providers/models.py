from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, PortableJSON, UTCDateTime


class Provider(Base):
    """A commissioned support service, loaded from config/providers.toml (the provider directory)."""

    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    services: Mapped[list[str]] = mapped_column(PortableJSON)
    policing_areas: Mapped[list[str]] = mapped_column(PortableJSON)
    min_age: Mapped[int | None] = mapped_column(default=None)
    max_age: Mapped[int | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)
    capacity: Mapped[int | None] = mapped_column(default=None)
    respond_by_working_days: Mapped[int] = mapped_column(default=1)
    settings: Mapped[dict[str, Any]] = mapped_column(PortableJSON, default=dict)
    # Set by admins, kept across directory reloads.
    admin_disabled: Mapped[bool] = mapped_column(default=False)
    webhook_url: Mapped[str | None] = mapped_column(String(500), default=None)
    # Standard Webhooks `whsec_` secrets, sealed (webhooks/secret_box.py). During a rotation the previous one
    # also signs until it expires.
    signing_secret: Mapped[str | None] = mapped_column(String(300), default=None)
    previous_signing_secret: Mapped[str | None] = mapped_column(String(300), default=None)
    previous_secret_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # A 410 Gone from the endpoint disables it until an admin sets an endpoint again.
    endpoint_disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def available(self) -> bool:
        return self.active and not self.admin_disabled
