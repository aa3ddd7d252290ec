"""Routing schemas: routes as cases show them, reroute requests, alerts."""

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


class AssignmentSchema(RouteSchema):
    case_id = fields.UUID()


class AlertSchema(ma.Schema):
    id = fields.UUID()
    kind = fields.String()
    case_id = fields.UUID(allow_none=True)
    assignment_id = fields.UUID(allow_none=True)
    delivery_id = fields.UUID(allow_none=True)
    detail = fields.String()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class AlertQuerySchema(StrictSchema):
    open = fields.Boolean(load_default=True)
    limit = fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=1000))
