"""Alerts as coordinators see them."""

from __future__ import annotations

from marshmallow import fields

from val.alerts.kinds import AlertKind
from val.http.output import OutputSchema, enum_string
from val.http.pagination import PageQuerySchema


class AlertSchema(OutputSchema):
    id = fields.UUID()
    kind = enum_string(AlertKind)
    case_id = fields.UUID(allow_none=True)
    case_reference = fields.String(allow_none=True, metadata={"description": "The case's VAL reference"})
    assignment_id = fields.UUID(allow_none=True)
    delivery_id = fields.UUID(allow_none=True)
    detail = fields.String()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


class AlertQuerySchema(PageQuerySchema):
    open = fields.Boolean(load_default=True)
