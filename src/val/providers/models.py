from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, PortableJSON


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
