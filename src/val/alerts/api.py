"""Alerts for coordinators: see what needs a person, and resolve it."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from flask.views import MethodView

from val.alerts.schemas import AlertQuerySchema, AlertSchema
from val.alerts.service import list_alerts, resolve_alert
from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session
from val.http.pagination import decode_cursor, page_response, page_schema

blp = Blueprint("alerts", __name__, url_prefix="/api/v1", description="Alerts (coordinators)")


@blp.route("/alerts")
class Alerts(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(AlertQuerySchema(), location="query")
    @blp.response(200, page_schema(AlertSchema, "AlertPage"))
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """Routes with no provider, webhooks that could not be delivered, victims who cannot be reached
        safely: what needs a person. Newest first."""
        page = list_alerts(
            request_session(),
            g.principal,
            only_open=query["open"],
            limit=query["limit"],
            after=decode_cursor(query["cursor"]),
            request_id=g.request_id,
        )
        return page_response(page.items, page.next_after)


@blp.route("/alerts/<uuid:alert_id>/resolve")
class ResolveAlert(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.response(200, AlertSchema)
    def post(self, alert_id: uuid.UUID) -> ViewAnswer:
        return resolve_alert(request_session(), g.principal, alert_id, g.request_id)
