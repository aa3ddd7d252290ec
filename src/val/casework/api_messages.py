"""Messages to the victim through GOV.UK Notify, as a coordinator sends and follows them (docs/victims.md)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from flask.views import MethodView
from marshmallow import fields, validate

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.casework.api import blp
from val.casework.messages import list_for_case, send
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.http.output import OutputSchema, enum_string
from val.http.pagination import page_response, page_schema
from val.http.schemas import StrictSchema
from val.messages.safety import Channel, Rule
from val.messages.states import MessageStatus
from val.messages.templates import TEMPLATES


class MessageInSchema(StrictSchema):
    template = fields.String(required=True, validate=validate.OneOf(TEMPLATES))
    channel = fields.String(required=True, validate=validate.OneOf([c.value for c in Channel]))


class MessageOutSchema(OutputSchema):
    id = fields.UUID()
    template = enum_string(TEMPLATES)
    channel = enum_string(Channel)
    sender = fields.String(metadata={"description": "coordinator, or val for VAL's own messages"})
    status = enum_string(MessageStatus)
    rule = enum_string(
        [*Rule, "no_template_for_channel"],
        allow_none=True,
        metadata={"description": "The safety rule that cancelled it while it waited"},
    )
    failure = fields.String(allow_none=True, metadata={"description": "Notify's reason, or why VAL gave up"})
    tries = fields.Integer()
    next_try_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "While queued: when it goes (the victim's next safe time)"}
    )
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
    receipt_at = fields.AwareDateTime(allow_none=True)


@blp.route("/cases/<uuid:case_id>/messages")
class Messages(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.response(200, page_schema(MessageOutSchema, "MessagePage"))
    def get(self, case_id: uuid.UUID) -> ViewAnswer:
        """Every message to the victim, oldest first, with what became of it."""
        found = list_for_case(request_session(), g.principal, case_id, g.request_id)
        return page_response(list(found), None)

    @require_roles(Role.COORDINATOR)
    @blp.arguments(MessageInSchema(), example={"template": "information_pack", "channel": "sms"})
    @blp.response(202, MessageOutSchema)
    def post(self, body: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """Send a templated message through GOV.UK Notify: queued now and sent by a worker at the victim's next
        safe time; 409 naming the safety rule when it may not go (consent, a child, an unsafe last contact, a
        phone the suspect knows, no number or address)."""
        return send(
            request_session(),
            g.principal,
            services().rulebook.messages,
            case_id,
            body["template"],
            Channel(body["channel"]),
            g.request_id,
        )
