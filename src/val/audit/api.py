"""The audit trail, for admins: who read or changed which record, when, under which request."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import g
from flask.views import MethodView
from marshmallow import fields

from val.audit.service import list_events
from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session
from val.http.output import OutputSchema, enum_string
from val.http.pagination import PageQuerySchema, decode_cursor, page_response, page_schema
from val.http.schemas import Instant

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Audit trail (admins)")


class AuditEventSchema(OutputSchema):
    id = fields.UUID()
    at = fields.DateTime()
    credential_id = fields.UUID(allow_none=True)
    actor = fields.String(
        allow_none=True,
        metadata={
            "description": "Who acted: the key's name, or the signed-in person's name (null: VAL itself)"
        },
    )
    role = enum_string(Role)
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    request_id = fields.String(allow_none=True)
    result_count = fields.Integer(allow_none=True)
    detail = fields.String(
        allow_none=True,
        metadata={"description": "What the action alone does not say (e.g. the URL an endpoint was set to)"},
    )


class AuditQuerySchema(PageQuerySchema):
    entity_id = fields.String(load_default=None, validate=ma.validate.Length(max=64))
    credential_id = fields.UUID(load_default=None)
    since = Instant(load_default=None)


@blp.route("/audit-events")
class AuditEvents(MethodView):
    @require_roles(Role.ADMIN)
    @blp.arguments(AuditQuerySchema(), location="query")
    @blp.response(200, page_schema(AuditEventSchema, "AuditEventPage"))
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """Newest first. Reading the trail is itself recorded in it."""
        after = decode_cursor(query.pop("cursor"))
        page = list_events(request_session(), g.principal, g.request_id, after=after, **query)
        return page_response(page.items, page.next_after)
