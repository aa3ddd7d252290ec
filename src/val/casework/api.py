"""Coordinator casework over HTTP: the work queue and search, one case, its consent, owner and safe contact,
its events. Parse → service → respond."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from flask import after_this_request, g, request
from flask.views import MethodView

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.calendar import london_date
from val.casework.queue import CaseFilters, list_cases
from val.casework.schemas import (
    CaseListItemSchema,
    CasePatchSchema,
    CaseQuerySchema,
    CoordinatorCaseSchema,
    EventInSchema,
    EventOutSchema,
    RecordedEventSchema,
)
from val.casework.service import etag_of, list_events, read_case, record_event, update_case
from val.http.blueprint import ETAG_HEADER, ViewAnswer
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.conditional import content_tagged
from val.http.context import request_session, services
from val.http.pagination import PageQuerySchema, decode_cursor, page_json, page_response, page_schema
from val.http.problems import Problem

blp = Blueprint("cases", __name__, url_prefix="/api/v1", description="Casework (coordinators)")
_case_schema = CoordinatorCaseSchema()
_event_schema = RecordedEventSchema()


@blp.route("/cases")
class Cases(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(CaseQuerySchema(), location="query")
    @blp.response(200, page_schema(CaseListItemSchema, "CasePage"))
    @blp.alt_response(
        304, description="Not Modified: the page is as it was under the ETag sent in If-None-Match"
    )
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """The work queue (`sort=priority`, the default) and search (`q`): reference, source reference, phone or
        the start of the family name."""
        limit, cursor, sort = query.pop("limit"), query.pop("cursor"), query.pop("sort")
        statuses = tuple(s.strip() for s in query.pop("status").split(",")) if query.get("status") else ()
        query.pop("status", None)
        page = list_cases(
            request_session(),
            g.principal,
            CaseFilters(status=statuses, **query),
            sort=sort,
            limit=limit,
            after=decode_cursor(cursor),
            today=london_date(dt.datetime.now(dt.UTC)),
            request_id=g.request_id,
        )
        after_this_request(content_tagged)
        return page_json(page.items, page.next_after)


def case_page(lister: Callable[..., Any], case_id: uuid.UUID, query: dict[str, Any]) -> ViewAnswer:
    """One page of a case's events, attempts or notes, in the list convention."""
    page = lister(
        request_session(),
        g.principal,
        case_id,
        limit=query["limit"],
        after=decode_cursor(query["cursor"]),
        request_id=g.request_id,
    )
    return page_response(page.items, page.next_after)


@blp.route("/cases/<uuid:case_id>")
class CaseDetail(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.response(200, CoordinatorCaseSchema, headers=ETAG_HEADER)
    @blp.alt_response(
        304, description="Not Modified: the case is as it was under the ETag sent in If-None-Match"
    )
    def get(self, case_id: uuid.UUID) -> ViewAnswer:
        """One case: triage, routes, compliance points, victim and offence, owner; its ETag for If-Match."""
        case = read_case(request_session(), g.principal, case_id, g.request_id)
        if case is None:
            raise Problem(404, "Not Found", "No case with this id.")
        tag = etag_of(case)
        after_this_request(lambda answer: content_tagged(answer, tag))
        return case, 200, {"ETag": tag}

    @require_roles(Role.COORDINATOR)
    @blp.arguments(
        CasePatchSchema(),
        example={"owner": "me", "contact": {"safe_to_call": False, "safe_times": "Only by email"}},
    )
    @blp.response(200, CoordinatorCaseSchema, headers=ETAG_HEADER)
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "If-Match",
                "required": False,
                "description": "The case's ETag from GET; needed when `contact` changes (428 without it, 412 "
                "when the case changed since).",
                "schema": {"type": "string"},
            }
        ]
    )
    def patch(self, body: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """Consent given or withdrawn, the owner (`"me"`, a coordinator's name, or null) and safe contact
        details (needs If-Match; providers holding the case are told at once)."""
        case = update_case(
            request_session(),
            g.principal,
            services().rulebook,
            case_id,
            body,
            request.headers.get("If-Match"),
            g.request_id,
        )
        return case, 200, {"ETag": etag_of(case)}


@blp.route("/cases/<uuid:case_id>/events")
class CaseEvents(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(PageQuerySchema(), location="query")
    @blp.response(200, page_schema(RecordedEventSchema, "CaseEventPage"))
    def get(self, query: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """The events recorded in the case's journey, oldest first."""
        return case_page(list_events, case_id, query)

    @require_roles(Role.COORDINATOR)
    @blp.arguments(
        EventInSchema(),
        example={
            "type": "sentenced",
            "occurred_at": "2026-11-20T15:00:00Z",
            "details": {"custody_months": 18, "violent_or_sexual": True},
        },
    )
    @blp.response(201, EventOutSchema)
    def post(self, event: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
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
