"""What a coordinator may filter the work queue by (docs/casework.md). Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseFilters:
    status: tuple[str, ...] = ()
    crime_type: str | None = None
    risk_level: str | None = None
    service: str | None = None
    provider_id: str | None = None
    policing_area: str | None = None
    enhanced: bool | None = None
    owner: str | None = None  # "me", "none" or a coordinator credential's name
    overdue: bool | None = None
    due_before: dt.date | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    q: str | None = None
