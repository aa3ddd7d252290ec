"""Webhook deliveries for coordinators and admins: see what failed, send it again."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import g
from flask.views import MethodView
from marshmallow import fields

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session
from val.http.output import OutputSchema, enum_string
from val.http.pagination import PageQuerySchema, decode_cursor, page_response, page_schema
from val.webhooks.domain import DeliveryStatus, WebhookEvent
from val.webhooks.kept import list_deliveries, replay

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1", description="Webhook deliveries")


class DeliverySchema(OutputSchema):
    id = fields.UUID()
    message_id = fields.String(metadata={"description": "The webhook-id header, stable across retries"})
    provider_id = fields.String()
    assignment_id = fields.UUID(allow_none=True)
    event_type = enum_string(WebhookEvent)
    status = enum_string(DeliveryStatus)
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


class DeliveryQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=ma.validate.OneOf(tuple(DeliveryStatus)))
    provider = fields.String(load_default=None, validate=ma.validate.Length(max=60))


@blp.route("/webhook-deliveries")
class Deliveries(MethodView):
    @require_roles(Role.COORDINATOR, Role.ADMIN)
    @blp.arguments(DeliveryQuerySchema(), location="query")
    @blp.response(200, page_schema(DeliverySchema, "DeliveryPage"))
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """Newest first."""
        after = decode_cursor(query.pop("cursor"))
        page = list_deliveries(request_session(), g.principal, g.request_id, after=after, **query)
        return page_response(page.items, page.next_after)


@blp.route("/webhook-deliveries/<uuid:delivery_id>/replay")
class Replay(MethodView):
    @require_roles(Role.COORDINATOR, Role.ADMIN)
    @blp.response(202, DeliverySchema)
    def post(self, delivery_id: uuid.UUID) -> ViewAnswer:
        """Send a kept delivery again, with the same webhook-id."""
        return replay(request_session(), g.principal, delivery_id, g.request_id)
