"""Coordinator case views."""

from __future__ import annotations

import uuid

from flask import g
from flask.views import MethodView

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.cases.schemas import CasePatchSchema, CoordinatorCaseSchema, EventInSchema, EventOutSchema
from val.cases.service import read_case, record_event, update_consent
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.context import request_session, services
from val.http.problems import Problem

blp = Blueprint("cases", __name__, url_prefix="/api/v1", description="Case management (coordinators)")


@blp.route("/cases/<uuid:case_id>/events")
class CaseEvents(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(EventInSchema())
    @blp.response(201, EventOutSchema)
    def post(self, event, case_id: uuid.UUID):
        """Record an event of the case's journey; the Victims' Code points it triggers open with deadlines."""
        recorded, points = record_event(
            request_session(),
            g.principal,
            services().rulebook,
            case_id,
            event["type"],
            event["occurred_at"],
            event["details"],
            g.request_id,
        )
        return {
            **{k: getattr(recorded, k) for k in ("id", "case_id", "type", "occurred_at", "details")},
            "compliance_points": points,
        }


@blp.route("/cases/<uuid:case_id>")
class CaseDetail(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(CasePatchSchema())
    @blp.response(200, CoordinatorCaseSchema)
    def patch(self, body, case_id: uuid.UUID):
        """Record consent given or withdrawn after intake: held services are offered, or offers withdrawn."""
        consent = body["consent"]
        return update_consent(
            request_session(),
            g.principal,
            services().rulebook,
            case_id,
            consent["support_referral"],
            consent["recorded_at"],
            g.request_id,
        )

    @require_roles(Role.COORDINATOR)
    @blp.response(200, CoordinatorCaseSchema)
    def get(self, case_id: uuid.UUID):
        """One case: triage, routes, compliance points, victim and offence."""
        case = read_case(request_session(), g.principal, case_id, g.request_id)
        if case is None:
            raise Problem(404, "Not Found", "No case with this id.")
        return case
