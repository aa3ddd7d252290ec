"""A provider's own integration, with its provider key: its endpoint and secret, a test event, its deliveries
(docs/providers.md, "Run your integration")."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import g
from flask.views import MethodView
from marshmallow import fields

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.http.output import OutputSchema, enum_string
from val.http.pagination import PageQuerySchema, decode_cursor, page_response, page_schema
from val.http.schemas import StrictSchema
from val.provider_portal import integration
from val.provider_portal.api import blp
from val.webhooks.domain import DeliveryStatus, WebhookEvent


class HealthSchema(OutputSchema):
    window_days = fields.Integer(metadata={"description": "Attempts and the success rate count these days"})
    attempts = fields.Integer()
    success_rate = fields.Float(
        allow_none=True, metadata={"description": "2xx answers ÷ attempts (null: none)"}
    )
    last_success_at = fields.DateTime(allow_none=True)
    last_failure_at = fields.DateTime(allow_none=True)
    failing_since = fields.DateTime(
        allow_none=True, metadata={"description": "When the current run of failures began (null: working)"}
    )
    backlog = fields.Integer(metadata={"description": "Webhooks not yet delivered"})
    oldest_waiting_at = fields.DateTime(allow_none=True)


class EndpointSchema(OutputSchema):
    url = fields.String(allow_none=True)
    disabled_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "Set after a 410 Gone or days of failures; register the endpoint again to resume"
        },
    )
    previous_secret_valid_until = fields.DateTime(
        allow_none=True,
        metadata={"description": "While a rotation overlaps: the old secret signs too until then"},
    )
    health = fields.Nested(HealthSchema)


class EndpointInSchema(StrictSchema):
    url = fields.String(
        required=True,
        validate=ma.validate.Length(min=8, max=2000),
        metadata={"description": "Your webhook URL (https://)"},
    )


class SecretSchema(OutputSchema):
    secret = fields.String(metadata={"description": "whsec_…: shown this once; verify signatures with it"})
    previous_secret_valid_until = fields.DateTime(allow_none=True)


class AttemptSchema(OutputSchema):
    attempted_at = fields.DateTime()
    status_code = fields.Integer(allow_none=True)
    latency_ms = fields.Integer()
    error = fields.String(allow_none=True, metadata={"description": "timeout, connection_error, …"})
    answer = fields.String(
        allow_none=True, metadata={"description": "The first 1 KB of your endpoint's answer"}
    )


class OwnDeliverySchema(OutputSchema):
    id = fields.UUID()
    message_id = fields.String(metadata={"description": "The webhook-id header, stable across retries"})
    assignment_id = fields.UUID(allow_none=True)
    event_type = enum_string(WebhookEvent)
    status = enum_string(DeliveryStatus)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    attempts = fields.List(fields.Nested(AttemptSchema))


class OwnDeliveryQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=ma.validate.OneOf(tuple(DeliveryStatus)))


@blp.route("/endpoint")
class Endpoint(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.response(200, EndpointSchema)
    def get(self) -> ViewAnswer:
        """Your endpoint and how it is doing."""
        return integration.endpoint_view(request_session(), g.principal, g.request_id)

    @require_roles(Role.PROVIDER)
    @blp.arguments(EndpointInSchema(), example={"url": "https://idva.example.org/hooks/val"})
    @blp.response(200, SecretSchema)
    def put(self, body: dict[str, Any]) -> ViewAnswer:
        """Register or change your endpoint; answers a new signing secret, shown this once. Webhooks that
        waited for an endpoint are sent now."""
        return integration.register(
            request_session(), g.principal, body["url"], services().settings, g.request_id
        )


@blp.route("/endpoint/rotate-secret")
class RotateSecret(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.response(200, SecretSchema)
    def post(self) -> ViewAnswer:
        """A new signing secret; the old one keeps signing beside it for 24 hours."""
        return integration.rotate(request_session(), g.principal, services().settings, g.request_id)


@blp.route("/endpoint/test")
class TestEvent(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.response(202, OwnDeliverySchema)
    def post(self) -> ViewAnswer:
        """Send a `ping` webhook to your endpoint, signed and retried like any other."""
        return integration.send_test(request_session(), g.principal, g.request_id)


@blp.route("/deliveries")
class OwnDeliveries(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.arguments(OwnDeliveryQuerySchema(), location="query")
    @blp.response(200, page_schema(OwnDeliverySchema, "OwnDeliveryPage"))
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """Your webhooks, newest first, each with every attempt."""
        after = decode_cursor(query.pop("cursor"))
        page = integration.own_deliveries(request_session(), g.principal, g.request_id, after=after, **query)
        return page_response(page.items, page.next_after)


@blp.route("/deliveries/<uuid:delivery_id>/replay")
class ReplayOwn(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.response(202, OwnDeliverySchema)
    def post(self, delivery_id: uuid.UUID) -> ViewAnswer:
        """Send one of your webhooks again, with the same webhook-id, while what it says is still so."""
        return integration.replay_own(request_session(), g.principal, delivery_id, g.request_id)
