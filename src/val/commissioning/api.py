"""The commissioner's return over HTTP, for the Board and admins (docs/commissioning.md)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from marshmallow import fields

from val.audit.service import record_board_query
from val.auth.guard import require_roles
from val.auth.roles import Role
from val.commissioning.figures import OUTCOMES
from val.commissioning.returns import COLUMNS, MEDIANS, as_csv, build_return
from val.compliance.schemas import PeriodSchema
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.http.csv import CSV_ANSWER, csv_download
from val.http.output import OutputSchema, enum_string
from val.http.schemas import BoardPeriodSchema
from val.providers.directory import SERVICES
from val.routing.states import DECLINE_CODES
from val.triage.domain import CrimeType

blp = Blueprint("commissioning", __name__, url_prefix="/api/v1", description="Commissioning intelligence")


class ReturnQuerySchema(BoardPeriodSchema):
    csv_path = "/api/v1/board/commissioning-return.csv"


class ReturnCsvQuerySchema(BoardPeriodSchema):
    """The CSV path's own query: a `format` here is just an unknown parameter."""


ReturnRowSchema = OutputSchema.from_dict(
    {
        "service": enum_string(SERVICES, allow_none=True, metadata={"description": "null in the total"}),
        "crime_type": enum_string(CrimeType, allow_none=True, metadata={"description": "null in the total"}),
        **{
            column: (fields.Float if column in MEDIANS else fields.Integer)(
                allow_none=True, metadata={"description": "null: withheld (too few to publish)"}
            )
            for column in COLUMNS
        },
    },
    name="ReturnRow",
)


class ReturnSchema(OutputSchema):
    period = fields.Nested(PeriodSchema)
    suppression_threshold = fields.Integer()
    rounding_base = fields.Integer()
    decline_codes = fields.List(enum_string(DECLINE_CODES))
    outcomes = fields.List(enum_string(OUTCOMES))
    rows = fields.List(fields.Nested(ReturnRowSchema))
    total = fields.Nested(ReturnRowSchema)


@blp.route("/board/commissioning-return")
class CommissioningReturn(MethodView):
    @require_roles(Role.BOARD, Role.ADMIN)
    @blp.arguments(ReturnQuerySchema(), location="query")
    @blp.response(200, ReturnSchema)
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """The commissioner's return: referrals offered, accepted, declined (by reason), expired, withdrawn,
        victims supported, closure outcomes, and median days to first contact and to acceptance; per service
        and crime type, protected as the Board summary is."""
        return _figures(query)


@blp.route("/board/commissioning-return.csv")
class CommissioningReturnCsv(MethodView):
    @require_roles(Role.BOARD, Role.ADMIN)
    @blp.arguments(ReturnCsvQuerySchema(), location="query")
    @blp.doc(responses={"200": CSV_ANSWER})
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """The same return as CSV: a header line, one line per service and crime type, the total last."""
        return csv_download(as_csv(_figures(query)), "commissioning-return.csv")


def _figures(query: dict[str, Any]) -> dict[str, Any]:
    session = request_session()
    figures = build_return(session, services().rulebook.catalogue, query["from_"], query["to"])
    record_board_query(session, g.principal, "commissioning_return", query, g.request_id)
    return figures
