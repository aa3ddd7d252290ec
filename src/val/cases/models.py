"""A case is one victim and one offence, with the triage decision made on intake.

Personal data lives in `victims` and `offences` (not on the case row), so retention can anonymise it
while the case, its triage and its compliance record survive for the Board's aggregates.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, Uuid, func, text
from sqlalchemy.orm import Mapped, mapped_column

from val.cases.references import number_in, reference_for
from val.db.base import Base, PortableJSON, UTCDateTime

# SQLite only autoincrements an INTEGER PRIMARY KEY.
CaseNumber = BigInteger().with_variant(Integer(), "sqlite")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The work queue reads in three index-ordered slices: overdue, then high risk, then the rest.
        Index("ix_cases_queue_due", "earliest_open_due_on", "received_at", "number"),
        Index("ix_cases_queue_risk", "risk_level", "earliest_open_due_on", "received_at", "number"),
        Index("ix_cases_source_reference_lower", func.lower(text("source_reference"))),
    )

    number: Mapped[int] = mapped_column(CaseNumber, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    status: Mapped[str] = mapped_column(String(32))
    source_system: Mapped[str] = mapped_column(String(64))
    source_reference: Mapped[str] = mapped_column(String(64))
    # SHA-256 of (system, reference, date of birth): enforces "one case per referral" without keeping
    # the date of birth on the case row; unique, so two racing duplicates cannot both commit.
    duplicate_key: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_by: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    policing_area: Mapped[str] = mapped_column(String(40))
    consent_support_referral: Mapped[str] = mapped_column(String(16))
    consent_recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # Casework (docs/casework.md): who owns the case, its version for ETag / If-Match, and its closure.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True, default=None)
    version: Mapped[int] = mapped_column(default=1)
    # Keys the case's ETag (an HMAC of its id and version), so If-Match cannot be enumerated. Never shown.
    etag_secret: Mapped[str | None] = mapped_column(String(32), default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    closure_outcome: Mapped[str | None] = mapped_column(String(30), default=None)
    # Copies for the work queue, so filtering and ordering read one table: triage never changes after intake,
    # and the earliest open due date is kept by compliance in every unit of work that changes a point.
    risk_level: Mapped[str | None] = mapped_column(String(10), default=None)
    enhanced_rights: Mapped[bool] = mapped_column(default=False)
    crime_types_key: Mapped[str] = mapped_column(String(300), default="")  # "|domestic_abuse|other|"
    earliest_open_due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # Repeat victim (docs/data-lifecycle.md), as found at intake: earlier cases of the same victim received in the 12
    # months before this one. Coordinators only; providers and the Board never see it.
    repeat_previous_cases: Mapped[int] = mapped_column(default=0)
    repeat_last_received_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # When retention erased who the victim is (docs/data-lifecycle.md); what every figure needs stays.
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def reference(self) -> str:
        return reference_for(self.received_at, self.number)

    reference_for = staticmethod(reference_for)
    number_in = staticmethod(number_in)


# The postcode's district as the search compares it, in SQL both databases index (migration 0022).
POSTCODE_DISTRICT_SQL = (
    "substr(upper(replace(postcode, ' ', '')), 1, length(upper(replace(postcode, ' ', ''))) - 3)"
)


class Victim(Base):
    __tablename__ = "victims"
    __table_args__ = (
        # Search by postcode (docs/casework.md), however it was spaced or cased when the referral came in.
        Index("ix_victims_postcode_key", func.upper(func.replace(text("postcode"), " ", ""))),
        # ... by its district alone (the outward code: the postcode without its last three characters) ...
        Index("ix_victims_postcode_district", text(POSTCODE_DISTRICT_SQL)),
        # ... by a given name alone, and by date of birth.
        Index("ix_victims_given_name_lower", func.lower(text("given_name"))),
        Index("ix_victims_date_of_birth", "date_of_birth"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)  # None once anonymised
    gender: Mapped[str | None] = mapped_column(String(40))
    postcode: Mapped[str | None] = mapped_column(String(10))
    policing_area: Mapped[str] = mapped_column(String(40))
    relationship: Mapped[str] = mapped_column(String(30))
    contact: Mapped[dict[str, Any]] = mapped_column(PortableJSON)
    language: Mapped[str | None] = mapped_column(String(20))
    needs_interpreter: Mapped[bool] = mapped_column(default=False)
    vulnerabilities: Mapped[list[str]] = mapped_column(PortableJSON)
    persistently_targeted: Mapped[bool] = mapped_column(default=False)
    intimidated: Mapped[bool] = mapped_column(default=False)
    in_hospital: Mapped[bool] = mapped_column(default=False)
    children_in_household: Mapped[int] = mapped_column(default=0)
    # Search keys (docs/casework.md): the family name without accents or case, the phone in E.164. Binary collation
    # on PostgreSQL, so a prefix search is an index range scan whatever the database's locale.
    family_name_key: Mapped[str | None] = mapped_column(
        String(100).with_variant(String(100, collation="C"), "postgresql"), index=True, default=None
    )
    phone_e164: Mapped[str | None] = mapped_column(String(20), index=True, default=None)
    # The repeat-victim hash (HMAC of normalised family name, date of birth, postcode district).
    match_key: Mapped[str | None] = mapped_column(String(64), index=True, default=None)


class Offence(Base):
    __tablename__ = "offences"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    home_office_code: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    flags: Mapped[list[str]] = mapped_column(PortableJSON)
    hate_strands: Mapped[list[str]] = mapped_column(PortableJSON)
    rtc_outcome: Mapped[str | None] = mapped_column(String(20))


class TriageDecision(Base):
    """What triage decided, under which rules, and why (every rule that fired)."""

    __tablename__ = "triage_decisions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), unique=True)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    crime_types: Mapped[list[str]] = mapped_column(PortableJSON)
    risk_level: Mapped[str | None] = mapped_column(String(10))
    marac: Mapped[bool]
    enhanced_rights: Mapped[bool]
    enhanced_reasons: Mapped[list[str]] = mapped_column(PortableJSON)
    consent_model: Mapped[str] = mapped_column(String(10))
    age_at_offence: Mapped[int]
    rules_version: Mapped[str] = mapped_column(String(64))
    explanation: Mapped[list[dict[str, str]]] = mapped_column(PortableJSON)
    # The risk block as the referrer sent it (DASH answers included): the evidence for risk_level.
    risk_input: Mapped[dict[str, Any]] = mapped_column(PortableJSON)


class CaseActivity(Base):
    """The case's own history: changes no other record keeps (consent, contact details, owner, closure,
    reopening)."""

    __tablename__ = "case_activity"
    __table_args__ = (Index("ix_case_activity_case_at", "case_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(100))
    # Never personal data: what changed, not what it changed to.
    summary: Mapped[str] = mapped_column(Text)
