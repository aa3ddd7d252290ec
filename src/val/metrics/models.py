"""Counts kept in the database for processes Prometheus never scrapes: a `val import` ends before any scrape,
so it adds what it took in here, and `/metrics` reports it beside the API's own counts."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base


class IntakeTally(Base):
    __tablename__ = "intake_tallies"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)  # "import": `val import`
    outcome: Mapped[str] = mapped_column(String(20), primary_key=True)  # created, duplicate, rejected
    count: Mapped[int] = mapped_column(BigInteger, default=0)
