"""Alerts for coordinators: see what needs a person, and resolve it."""

from __future__ import annotations

import uuid

from flask import g
from flask.views import MethodView

from val.alerts.schemas import AlertQuerySchema, AlertSchema
from val.alerts.service import list_alerts, resolve_alert
from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.context import request_session

blp = Blueprint("alerts", __name__, url_prefix="/api/v1", description="Alerts (coordinators)")


@blp.route("/alerts")
class Alerts(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(AlertQuerySchema(), location="query")
    @blp.response(200, AlertSchema(many=True))
    def get(self, query):
        """Routes with no provider, webhooks that could not be delivered: what needs a person."""
        return list_alerts(
            request_session(),
            g.principal,
            only_open=query["open"],
            limit=query["limit"],
            request_id=g.request_id,
        )


@blp.route("/alerts/<uuid:alert_id>/resolve")
class ResolveAlert(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.response(200, AlertSchema)
    def post(self, alert_id: uuid.UUID):
        return resolve_alert(request_session(), g.principal, alert_id, g.request_id)
