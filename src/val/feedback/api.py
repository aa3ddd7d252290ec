"""Victims' satisfaction for the Victims Board (`GET /api/v1/board/feedback`), protected as every Board figure
is, and a case's feedback for its coordinators (the victim's own words are theirs alone)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from flask.views import MethodView
from marshmallow import fields, validate

from val.audit.service import record_board_query
from val.auth.guard import require_roles
from val.auth.roles import Role
from val.compliance.schemas import PeriodSchema
from val.feedback.figures import MEASURES
from val.feedback.questions import LISTENED_TO, TOLD_ONCE
from val.feedback.service import answers_for_case, satisfaction
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.http.output import OutputSchema, enum_string
from val.http.pagination import page_response, page_schema
from val.http.schemas import BoardPeriodSchema

blp = Blueprint("feedback", __name__, url_prefix="/api/v1", description="Victims' feedback")

GROUPINGS = ("month", "crime_type", "policing_area")


class FeedbackQuerySchema(BoardPeriodSchema):
    group_by = fields.String(load_default="month", validate=validate.OneOf(GROUPINGS))


class FeedbackGroupSchema(OutputSchema):
    optional = GROUPINGS
    month = fields.String(metadata={"description": "YYYY-MM, the month the answers arrived"})
    crime_type = fields.String()
    policing_area = fields.String()


def _counts() -> dict[str, Any]:
    counted: dict[str, Any] = {"responses": fields.Integer(allow_none=True)}
    for measure in MEASURES:
        counted[measure] = fields.Integer(allow_none=True)
        counted[f"{measure}_rate"] = fields.Float(allow_none=True)
    counted["suppressed"] = fields.Boolean(metadata={"description": "The group's responses are withheld"})
    counted["suppressed_cells"] = fields.List(fields.String())
    return counted


FeedbackTotalSchema = OutputSchema.from_dict(_counts(), name="FeedbackTotal")
FeedbackRowSchema = OutputSchema.from_dict(
    {"group": fields.Nested(FeedbackGroupSchema), **_counts()}, name="FeedbackRow"
)


class FeedbackFiguresSchema(OutputSchema):
    period = fields.Nested(PeriodSchema)
    group_by = enum_string(GROUPINGS)
    suppression_threshold = fields.Integer()
    rounding_base = fields.Integer()
    rows = fields.List(fields.Nested(FeedbackRowSchema))
    total = fields.Nested(FeedbackTotalSchema)


class CaseFeedbackSchema(OutputSchema):
    id = fields.UUID()
    answered_at = fields.AwareDateTime()
    satisfaction = fields.Integer(metadata={"description": "1 very dissatisfied … 5 very satisfied"})
    told_once = enum_string([value for value, _ in TOLD_ONCE])
    listened_to = enum_string([value for value, _ in LISTENED_TO])
    comments = fields.String(
        allow_none=True, metadata={"description": "The victim's own words (coordinators only)"}
    )


@blp.route("/board/feedback")
class BoardFeedback(MethodView):
    @require_roles(Role.BOARD, Role.COORDINATOR, Role.ADMIN)
    @blp.arguments(FeedbackQuerySchema(), location="query")
    @blp.response(200, FeedbackFiguresSchema)
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """Victims' satisfaction by month, crime type or policing area: responses, satisfied (4 or 5 of 5), told
        their story once, felt listened to — small numbers withheld, every count rounded to 5."""
        svc, session = services(), request_session()
        record_board_query(session, g.principal, "feedback", query, g.request_id)
        catalogue = svc.rulebook.catalogue
        return satisfaction(
            session,
            query["from_"],
            query["to"],
            query["group_by"],
            catalogue.suppression_threshold,
            tuple(catalogue.crime_type_priority),
            svc.settings.policing_areas,
        )


@blp.route("/cases/<uuid:case_id>/feedback")
class CaseFeedback(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.response(200, page_schema(CaseFeedbackSchema, "CaseFeedbackPage"))
    def get(self, case_id: uuid.UUID) -> ViewAnswer:
        """What the victim answered on the feedback page, with their own words."""
        return page_response(
            list(answers_for_case(request_session(), g.principal, case_id, g.request_id)), None
        )
