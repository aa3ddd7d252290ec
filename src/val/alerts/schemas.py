"""Alerts as coordinators see them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from val.http.schemas import StrictSchema


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
