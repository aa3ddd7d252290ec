"""What intake wrote, as its response shows it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from val.cases.models import Case
from val.routing.store import AssignmentRecord


@dataclass(frozen=True)
class WrittenCase:
    """What intake wrote, as the response shows it: plain objects, not ORM instances (instrumenting a
    detached Case, its triage and points cost more CPU than the inserts)."""

    id: uuid.UUID
    number: int
    status: str
    received_at: dt.datetime
    submitted_by: uuid.UUID
    triage: SimpleNamespace
    compliance_points: list[SimpleNamespace]
    assignments: list[AssignmentRecord]

    @property
    def reference(self) -> str:
        return Case.reference_for(self.received_at, self.number)


def as_written(
    number: int,
    case_row: dict[str, Any],
    triage_row: dict[str, Any],
    point_rows: list[dict[str, Any]],
    assignments: list[AssignmentRecord],
) -> WrittenCase:
    return WrittenCase(
        id=case_row["id"],
        number=number,
        status=case_row["status"],
        received_at=case_row["received_at"],
        submitted_by=case_row["submitted_by"],
        triage=SimpleNamespace(**triage_row),
        compliance_points=[SimpleNamespace(**row) for row in point_rows],
        assignments=assignments,
    )
