"""Routing schemas: routes as cases show them, reroute requests."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from marshmallow import fields

from val.http.output import ComputedDateTime, OutputSchema, computed_enum, enum_string
from val.http.schemas import StrictSchema
from val.providers.directory import SERVICES
from val.routing.states import OUTCOMES, AssignmentStatus

if TYPE_CHECKING:
    from val.routing.models import Assignment


class RerouteSchema(StrictSchema):
    provider = fields.String(
        load_default=None, metadata={"description": "A named provider; else the next eligible"}
    )


class RouteSchema(OutputSchema):
    """An assignment as a case shows it (the `routes` of docs/domain.md)."""

    optional = ("decline_reason",)

    id = fields.UUID()
    service = enum_string(SERVICES)
    provider = fields.String(attribute="provider_id", allow_none=True)
    status = enum_string(AssignmentStatus)
    respond_by = fields.DateTime(allow_none=True)
    rule = fields.String()
    because = fields.String()
    requested_service = enum_string(SERVICES, allow_none=True)
    offered_at = fields.DateTime()
    accepted_at = ComputedDateTime("_accepted_at", allow_none=True)
    decline_reason = fields.String(
        allow_none=True,
        metadata={
            "description": "The provider's own words; left out of the view of the police system that sent it"
        },
    )
    outcome = computed_enum("_outcome", OUTCOMES, allow_none=True)
    outcome_at = ComputedDateTime("_outcome_at", allow_none=True)

    def _accepted_at(self, assignment: Assignment) -> dt.datetime | None:
        # answered_at is the acceptance for every assignment that was accepted (declines are answers too).
        accepted = assignment.status in ("accepted", "in_support", "closed") or (
            assignment.status == "withdrawn" and assignment.answered_at and not assignment.decline_reason
        )
        return assignment.answered_at if accepted and assignment.answered_at else None

    def _outcome(self, assignment: Assignment) -> str | None:
        return (assignment.outcome or {}).get("outcome")

    def _outcome_at(self, assignment: Assignment) -> dt.datetime | None:
        at = (assignment.outcome or {}).get("at") if self._outcome(assignment) else None
        return dt.datetime.fromisoformat(at) if at else None


class AssignmentSchema(RouteSchema):
    case_id = fields.UUID()
