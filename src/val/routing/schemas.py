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


class AssignmentSchema(RouteSchema):
    case_id = fields.UUID()
