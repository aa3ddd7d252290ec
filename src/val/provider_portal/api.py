"""The provider-facing API: a provider credential sees and answers only its own referrals."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import g
from flask.views import MethodView

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.http.pagination import decode_cursor, page_response, page_schema
from val.provider_portal.schemas import (
    AnswerSchema,
    DeclineSchema,
    ListQuerySchema,
    OutcomeSchema,
    ProviderReferralSchema,
    ReferralSummarySchema,
)
from val.provider_portal.service import accept, decline, list_referrals, read_referral, record_outcome

blp = Blueprint("provider", __name__, url_prefix="/api/v1/provider", description="For support providers")


@blp.route("/referrals")
class ProviderReferrals(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.arguments(ListQuerySchema(), location="query")
    @blp.response(200, page_schema(ReferralSummarySchema, "ProviderReferralPage"))
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """This provider's referrals, newest first."""
        after = decode_cursor(query.pop("cursor"))
        page = list_referrals(request_session(), g.principal, g.request_id, after=after, **query)
        return page_response(page.items, page.next_after)


@blp.route("/referrals/<uuid:assignment_id>")
class ProviderReferral(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.response(200, ProviderReferralSchema)
    def get(self, assignment_id: uuid.UUID) -> ViewAnswer:
        """One referral, with only the fields this service needs."""
        keep = dt.timedelta(days=services().settings.provider_view_days_after_close)
        return read_referral(
            request_session(), g.principal, assignment_id, g.request_id, keep_after_close=keep
        )


@blp.route("/referrals/<uuid:assignment_id>/accept")
class AcceptReferral(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.response(200, AnswerSchema)
    def post(self, assignment_id: uuid.UUID) -> ViewAnswer:
        return accept(request_session(), g.principal, assignment_id, g.request_id)


@blp.route("/referrals/<uuid:assignment_id>/decline")
class DeclineReferral(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.arguments(
        DeclineSchema(),
        example={"reason": "No capacity in this area this week", "reason_code": "no_capacity"},
    )
    @blp.response(200, AnswerSchema)
    def post(self, body: dict[str, Any], assignment_id: uuid.UUID) -> ViewAnswer:
        """Decline with a reason; the referral goes to the next eligible provider, else to coordinators."""
        return decline(
            request_session(),
            g.principal,
            services().rulebook.routing,
            assignment_id,
            body["reason"],
            g.request_id,
            reason_code=body["reason_code"],
        )


@blp.route("/referrals/<uuid:assignment_id>/outcome")
class ReferralOutcome(MethodView):
    @require_roles(Role.PROVIDER)
    @blp.arguments(OutcomeSchema(), example={"outcome": "in_support", "at": "2026-11-20T10:15:00Z"})
    @blp.response(200, AnswerSchema)
    def post(self, body: dict[str, Any], assignment_id: uuid.UUID) -> ViewAnswer:
        """`in_support` when support starts; `supported`, `unable_to_contact`, `support_declined` or
        `transferred` close the referral."""
        return record_outcome(
            request_session(), g.principal, assignment_id, body["outcome"], body["at"], g.request_id
        )
