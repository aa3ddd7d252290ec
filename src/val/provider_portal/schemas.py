from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from val.http.pagination import PageQuerySchema
from val.http.schemas import Instant, StrictSchema, not_in_future
from val.routing.states import DECLINE_CODES, OUTCOMES, AssignmentStatus


class ReferralSummarySchema(ma.Schema):
    assignment_id = fields.UUID()
    case_reference = fields.String()
    service = fields.String()
    status = fields.String()
    offered_at = fields.DateTime()
    respond_by = fields.DateTime(allow_none=True)
    policing_area = fields.String()


class DisclosureSchema(ma.Schema):
    stage = fields.String(
        metadata={"description": "offer: enough to decide, no identity; full: the service's whole view"}
    )
    reason = fields.String()


class ProviderReferralSchema(ReferralSummarySchema):
    """The service's own view; which keys appear depends on the service (docs/providers.md)."""

    victim = fields.Dict()
    offence = fields.Dict()
    triage = fields.Dict()
    risk = fields.Dict()
    outcome = fields.Dict(allow_none=True)
    disclosure = fields.Nested(DisclosureSchema)


class ListQuerySchema(PageQuerySchema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf([s.value for s in AssignmentStatus if s is not AssignmentStatus.UNASSIGNED]),
    )


class DeclineSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=1000))
    reason_code = fields.String(
        load_default="other",
        validate=validate.OneOf(DECLINE_CODES),
        metadata={"description": "Why, as the commissioner's return counts it"},
    )


class OutcomeSchema(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(tuple(OUTCOMES)))
    at = Instant(required=True, validate=not_in_future)


class AnswerSchema(ma.Schema):
    assignment_id = fields.UUID(attribute="id")
    status = fields.String()
    service = fields.String()
