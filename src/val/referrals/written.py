"""What intake wrote, as its response shows it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from val.cases.references import reference_for
from val.cases.store import TriageRecord
from val.compliance.store import PointRecord
from val.routing.store import AssignmentRecord


@dataclass(frozen=True)
class WrittenCase:
    """A case as intake answers with it: what intake just wrote (its rows as plain objects: building records
    of them cost more CPU than the inserts), or, for a duplicate, the existing case's records."""

    id: uuid.UUID
    number: int
    status: str
    received_at: dt.datetime
    submitted_by: uuid.UUID
    triage: SimpleNamespace | TriageRecord
    compliance_points: list[SimpleNamespace] | list[PointRecord]
    assignments: list[AssignmentRecord]

    @property
    def reference(self) -> str:
        return reference_for(self.received_at, self.number)


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
