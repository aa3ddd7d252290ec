"""Routing schemas: routes as cases show them, reroute requests."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from val.http.schemas import StrictSchema


class RerouteSchema(StrictSchema):
    provider = fields.String(
        load_default=None, metadata={"description": "A named provider; else the next eligible"}
    )


class RouteSchema(ma.Schema):
    """An assignment as a case shows it (the `routes` of DOMAIN §3)."""

    id = fields.UUID()
    service = fields.String()
    provider = fields.String(attribute="provider_id", allow_none=True)
    status = fields.String()
    respond_by = fields.DateTime(allow_none=True)
    rule = fields.String()
    because = fields.String()
    requested_service = fields.String(allow_none=True)
    offered_at = fields.DateTime()
    accepted_at = fields.Method("_accepted_at")
    decline_reason = fields.String(allow_none=True)
    outcome = fields.Method("_outcome")
    outcome_at = fields.Method("_outcome_at")

    def _accepted_at(self, assignment) -> str | None:  # noqa: ANN001
        # answered_at is the acceptance for every assignment that was accepted (declines are answers too).
        accepted = assignment.status in ("accepted", "in_support", "closed") or (
            assignment.status == "withdrawn" and assignment.answered_at and not assignment.decline_reason
        )
        return assignment.answered_at.isoformat() if accepted and assignment.answered_at else None

    def _outcome(self, assignment) -> str | None:  # noqa: ANN001
        return (assignment.outcome or {}).get("outcome")

    def _outcome_at(self, assignment) -> str | None:  # noqa: ANN001
        return (assignment.outcome or {}).get("at") if self._outcome(assignment) else None


class AssignmentSchema(RouteSchema):
    case_id = fields.UUID()
