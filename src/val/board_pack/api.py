"""`GET /api/v1/board/pack`: the Board pack as one HTML page, for the Board and admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, g
from flask.views import MethodView

from val.audit.service import record_board_query
from val.auth.guard import require_roles
from val.auth.roles import Role
from val.board_pack.figures import Period, the_pack
from val.board_pack.render import render
from val.calendar import london_date
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.http.schemas import BoardPeriodSchema

blp = Blueprint("board_pack", __name__, url_prefix="/api/v1", description="The Victims Board pack")


class PackQuerySchema(BoardPeriodSchema):
    pass


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
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """The Board pack: on time by right and month beside the previous period, volumes, timeliness, missed
        points by agency and the commissioner's return in brief — every figure protected."""
        svc = services()
        rulebook = svc.rulebook
        record_board_query(request_session(), g.principal, "pack", query, g.request_id)
        pack = the_pack(
            request_session(),
            rulebook.catalogue,
            rulebook.working_days,
            svc.settings.policing_areas,
            Period(query["from_"], query["to"]),
            london_date(dt.datetime.now(dt.UTC)),
        )
        return Response(render(pack, dt.datetime.now(dt.UTC)), mimetype="text/html")
