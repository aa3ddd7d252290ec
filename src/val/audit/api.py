"""The audit trail, for admins: who read or changed which record, when, under which request."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask.views import MethodView
from marshmallow import fields

from val.audit.service import list_events
from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.context import request_session
from val.http.schemas import StrictSchema

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Audit trail (admins)")


class AuditEventSchema(ma.Schema):
    id = fields.UUID()
    at = fields.DateTime()
    credential_id = fields.UUID(allow_none=True)
    role = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    request_id = fields.String(allow_none=True)


class AuditQuerySchema(StrictSchema):
    entity_id = fields.String(load_default=None)
    credential_id = fields.UUID(load_default=None)
    since = fields.AwareDateTime(load_default=None)
    limit = fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=1000))


@blp.route("/audit-events")
class AuditEvents(MethodView):
    @require_roles(Role.ADMIN)
    @blp.arguments(AuditQuerySchema(), location="query")
    @blp.response(200, AuditEventSchema(many=True))
    def get(self, query):
        """Newest first. Reading the trail is itself recorded in it."""
        return list_events(request_session(), g.principal, g.request_id, **query)
