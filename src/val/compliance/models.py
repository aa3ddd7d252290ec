from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from val.db.base import Base, PortableJSON, UTCDateTime


class CaseEvent(Base):
    """Something that happened in a case's journey and may start a Victims' Code clock."""

    __tablename__ = "case_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[uuid.UUID] = mapped_column(Uuid)


class CompliancePoint(Base):
    """One obligation of one right for one case, with its deadline and outcome.

    The grouping fields of the Board summary (enhanced, policing area, age band, crime type) are copied from
    the case's triage when the point opens, so the summary reads one table and identifies no one."""

    __tablename__ = "compliance_points"
    __table_args__ = (
        Index("ix_compliance_points_status_due_on", "status", "due_on"),
        Index("ix_compliance_points_trigger_date", "trigger_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_events.id"), default=None)
    code: Mapped[str] = mapped_column(String(40))
    right: Mapped[int | None]
    agency: Mapped[str] = mapped_column(String(30))
    trigger_event: Mapped[str] = mapped_column(String(40))
    triggered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    trigger_date: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40), default=None)
    fulfilled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    enhanced: Mapped[bool]
    policing_area: Mapped[str] = mapped_column(String(40))
    age_band: Mapped[str] = mapped_column(String(10))
    crime_type: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CompliancePointCount(Base):
    """How many points there are per Board grouping, status and due date, kept by database triggers on
    `compliance_points` in the same transaction as every change to a point: each change adds a row of +1 or
    −1 (inserts only, so concurrent intakes never wait on a shared counter), and `compact_counts` sums them
    up. The Board summary reads this table instead of every point (a year of a large force is millions of
    points; this is thousands of rows). Identifies no one: no case, no victim."""

    __tablename__ = "compliance_point_counts"
    __table_args__ = (Index("ix_compliance_point_counts_trigger_date", "trigger_date"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    trigger_date: Mapped[dt.date] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(40))
    right: Mapped[int | None]
    agency: Mapped[str] = mapped_column(String(30))
    enhanced: Mapped[bool]
    policing_area: Mapped[str] = mapped_column(String(40))
    age_band: Mapped[str] = mapped_column(String(10))
    crime_type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[dt.date] = mapped_column(Date)
    n: Mapped[int]
