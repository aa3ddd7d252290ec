"""Coordinator routing controls: reroute an assignment."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from flask.views import MethodView

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.routing.schemas import AssignmentSchema, RerouteSchema
from val.routing.service import reroute

blp = Blueprint("routing", __name__, url_prefix="/api/v1", description="Routing (coordinators)")


@blp.route("/assignments/<uuid:assignment_id>/reroute")
class Reroute(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(RerouteSchema(), example={"provider": "wmwa-idva"})
    @blp.response(201, AssignmentSchema)
    def post(self, body: dict[str, Any], assignment_id: uuid.UUID) -> ViewAnswer:
        """Withdraw an assignment from its provider (who is told) and offer it to another."""
        return reroute(
            request_session(),
            g.principal,
            services().rulebook.routing,
            assignment_id,
            body["provider"],
            g.request_id,
        )
