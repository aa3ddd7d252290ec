"""`GET /api/v1/board/pack`: the Board pack as one HTML page, for the Board and admins."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask import Response
from flask.views import MethodView

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.board_pack.figures import Period, the_pack
from val.board_pack.render import render
from val.calendar import london_date
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.context import request_session, services
from val.http.schemas import Day, StrictSchema

blp = Blueprint("board_pack", __name__, url_prefix="/api/v1", description="The Victims Board pack")
LONGEST = dt.timedelta(days=3 * 366)


class PackQuerySchema(StrictSchema):
    from_ = Day(required=True, data_key="from")
    to = Day(required=True)

    @ma.validates_schema(skip_on_field_errors=True)
    def _period(self, data, **_):  # noqa: ANN001
        if data["to"] < data["from_"]:
            raise ma.ValidationError("Must not be before from.", field_name="to")
        if data["to"] - data["from_"] > LONGEST:
            raise ma.ValidationError("A pack covers at most three years.", field_name="to")


@blp.route("/board/pack")
class BoardPack(MethodView):
    @require_roles(Role.BOARD, Role.ADMIN)
    @blp.arguments(PackQuerySchema(), location="query")
    @blp.doc(
        responses={
            "200": {
                "description": "One self-contained, printable HTML page (no script, no network)",
                "content": {"text/html": {"schema": {"type": "string"}}},
            }
        }
    )
    def get(self, query):
        """The Board pack: on time by right and month beside the previous period, volumes, timeliness, missed
        points by agency and the commissioner's return in brief — every figure protected."""
        svc = services()
        rulebook = svc.rulebook
        pack = the_pack(
            request_session(),
            rulebook.catalogue,
            rulebook.working_days,
            svc.settings.policing_areas,
            Period(query["from_"], query["to"]),
            london_date(dt.datetime.now(dt.UTC)),
        )
        return Response(render(pack, dt.datetime.now(dt.UTC)), mimetype="text/html")
