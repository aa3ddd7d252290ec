"""Compliance over HTTP: points for coordinators, the summary for the Victims Board."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from flask.views import MethodView

from val.audit.service import record_board_query
from val.auth.guard import require_roles
from val.auth.roles import Role
from val.compliance import board
from val.compliance.schemas import (
    FulfilInSchema,
    PointSchema,
    PointsQuerySchema,
    SummaryCsvQuerySchema,
    SummaryQuerySchema,
    SummarySchema,
)
from val.compliance.service import fulfil_point, list_points
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.http.csv import CSV_ANSWER, csv_download
from val.http.pagination import decode_cursor, page_response, page_schema

blp = Blueprint("compliance", __name__, url_prefix="/api/v1", description="Victims' Code compliance")
_point_schema = PointSchema()


@blp.route("/compliance-points")
class CompliancePoints(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(PointsQuerySchema(), location="query")
    @blp.response(200, page_schema(PointSchema, "CompliancePointPage"))
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """Points by status, agency, right and due date: what is due today, what is overdue."""
        after = decode_cursor(query.pop("cursor"))
        page = list_points(request_session(), g.principal, after=after, request_id=g.request_id, **query)
        return page_response(page.items, page.next_after)


@blp.route("/compliance-points/<uuid:point_id>/fulfil")
class FulfilPoint(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(FulfilInSchema(), example={"at": "2026-11-20T11:00:00Z"})
    @blp.response(200, PointSchema)
    def post(self, body: dict[str, Any], point_id: uuid.UUID) -> ViewAnswer:
        """Record when the obligation was met; on or before the due date (London) is met, after is met late."""
        return fulfil_point(request_session(), g.principal, point_id, body["at"], g.request_id)


@blp.route("/board/compliance-summary")
class ComplianceSummary(MethodView):
    @require_roles(Role.BOARD, Role.COORDINATOR, Role.ADMIN)
    @blp.arguments(SummaryQuerySchema(), location="query")
    @blp.response(200, SummarySchema)
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """Counts by group with small numbers suppressed; no person can be identified from it."""
        return _summary(query).as_dict()


@blp.route("/board/compliance-summary.csv")
class ComplianceSummaryCsv(MethodView):
    @require_roles(Role.BOARD, Role.COORDINATOR, Role.ADMIN)
    @blp.arguments(SummaryCsvQuerySchema(), location="query")
    @blp.doc(responses={"200": CSV_ANSWER})
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """The same table as CSV: a header line, then one line per row and the total last."""
        return csv_download(board.as_csv(_summary(query)), "compliance-summary.csv")


def _summary(query: dict[str, Any]) -> board.Summary:
    svc, session = services(), request_session()
    record_board_query(session, g.principal, "compliance_summary", query, g.request_id)
    return board.summarise(
        session,
        query["from_"],
        query["to"],
        query["group_by"],
        svc.rulebook.catalogue.suppression_threshold,
        board.dimensions(svc.rulebook.catalogue, svc.settings.policing_areas),
    )
