"""The commissioner's return over HTTP, for the Board and admins (DOMAIN §14)."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, g
from flask.views import MethodView
from marshmallow import fields, validate

from val.audit.service import record_board_query
from val.auth.guard import require_roles
from val.auth.roles import Role
from val.commissioning.returns import COLUMNS, MEDIANS, as_csv, build_return
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.context import request_session, services
from val.http.schemas import BoardPeriodSchema

blp = Blueprint("commissioning", __name__, url_prefix="/api/v1", description="Commissioning intelligence")


class ReturnQuerySchema(BoardPeriodSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


ReturnRowSchema = ma.Schema.from_dict(
    {
        "service": fields.String(allow_none=True),
        "crime_type": fields.String(allow_none=True),
        **{
            column: (fields.Float if column in MEDIANS else fields.Integer)(
                allow_none=True, metadata={"description": "null: withheld (too few to publish)"}
            )
            for column in COLUMNS
        },
    },
    name="ReturnRow",
)


class ReturnSchema(ma.Schema):
    period = fields.Dict()
    suppression_threshold = fields.Integer()
    rounding_base = fields.Integer()
    decline_codes = fields.List(fields.String())
    outcomes = fields.List(fields.String())
    rows = fields.List(fields.Nested(ReturnRowSchema))
    total = fields.Nested(ReturnRowSchema)


@blp.route("/board/commissioning-return")
class CommissioningReturn(MethodView):
    @require_roles(Role.BOARD, Role.ADMIN)
    @blp.arguments(ReturnQuerySchema(), location="query")
    @blp.response(200, ReturnSchema)
    @blp.doc(
        responses={
            "200": {
                "description": "Per service and crime type: offers and what became of them, as JSON, or as "
                "CSV with format=csv; protected as the Board summary is",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Return"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    )
    def get(self, query):
        """The commissioner's return: referrals offered, accepted, declined (by reason), expired, withdrawn,
        victims supported, closure outcomes, and median days to first contact and to acceptance."""
        session = request_session()
        figures = build_return(session, services().rulebook.catalogue, query["from_"], query["to"])
        record_board_query(session, g.principal, "commissioning_return", query, g.request_id)
        if query["format"] == "csv":
            return Response(
                as_csv(figures),
                mimetype="text/csv",
                headers={"Content-Disposition": "attachment; filename=commissioning-return.csv"},
            )
        return figures
