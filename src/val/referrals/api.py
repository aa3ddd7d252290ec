"""Referral intake over HTTP: parse → accept_referral → respond."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from flask import g, request
from flask.views import MethodView

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, request_unit_of_work, services
from val.http.idempotency import idempotent
from val.http.problems import Problem
from val.metrics.instruments import record_batch
from val.referrals import batch
from val.referrals.answers import (
    BatchResultSchema,
    CaseSchema,
    DuplicateSchema,
    ReferralLookupResultSchema,
    ReferralStatusSchema,
)
from val.referrals.domain import Referral
from val.referrals.lookup import own_referrals_by_reference, referral_status
from val.referrals.schemas import REFERRAL_EXAMPLE, ReferralLookupSchema, ReferralSchema
from val.referrals.service import accept_referral

if TYPE_CHECKING:
    from val.cases.store import CaseRecord

blp = Blueprint("referrals", __name__, url_prefix="/api/v1", description="Referral intake")

_case_schema = CaseSchema()
# A sending system learns where its referral went, never a provider's own words about the victim.
_sender_case_schema = CaseSchema(exclude=("routes.decline_reason",))
_status_schema = ReferralStatusSchema()
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/ndjson")


@blp.route("/referrals")
class Referrals(MethodView):
    @require_roles(Role.INTAKE, Role.COORDINATOR)
    @blp.arguments(ReferralLookupSchema(), location="query")
    @blp.response(200, ReferralLookupResultSchema)
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """Find referrals this credential submitted, by VAL reference or by the source system's reference
        (any other credential's are as good as absent)."""
        found = own_referrals_by_reference(
            request_session(),
            g.principal,
            reference=query.get("reference"),
            source_reference=query.get("source_reference"),
            request_id=g.request_id,
            limit=query["limit"],
        )
        return {"items": [_status_of(case) for case in found], "next_cursor": None}

    @require_roles(Role.INTAKE, Role.COORDINATOR)
    @idempotent
    # An instance: a class would be instantiated on every request.
    @blp.arguments(ReferralSchema(), example=REFERRAL_EXAMPLE)
    @blp.alt_response(201, schema=CaseSchema, description="A new case, triaged")
    @blp.doc(
        responses={
            "200": {
                "description": "A duplicate: the existing case with duplicate_of when this credential "
                "submitted it; otherwise only duplicate_of and reference",
                "content": {"application/json": {"schema": {"anyOf": [CaseSchema, DuplicateSchema]}}},
            }
        }
    )
    def post(self, referral: Referral) -> ViewAnswer:
        """Submit one referral; the response is the triaged case."""
        svc = services()
        result = accept_referral(
            request_session(), g.principal, referral, svc.rulebook, g.request_id, repeat_keyer=svc.match_keyer
        )
        if not result.submitted_by_caller:
            return {"duplicate_of": str(result.case.id), "reference": result.case.reference}, 200
        schema = _sender_case_schema if g.principal.role is Role.INTAKE else _case_schema
        body = schema.dump(result.case)
        body["duplicate_of"] = str(result.duplicate_of) if result.duplicate_of else None
        return body, 201 if result.created else 200


@blp.route("/referrals/<uuid:referral_id>")
class ReferralStatus(MethodView):
    @require_roles(Role.INTAKE, Role.COORDINATOR)
    @blp.response(200, ReferralStatusSchema)
    def get(self, referral_id: uuid.UUID) -> ViewAnswer:
        """The status of a referral this credential submitted (any other id is 404)."""
        case = referral_status(request_session(), g.principal, referral_id, g.request_id)
        if case is None:
            raise Problem(404, "Not Found", "No referral with this id was submitted with this credential.")
        return _status_of(case)


def _status_of(case: CaseRecord) -> dict[str, Any]:
    return {
        "id": case.id,
        "reference": case.reference,
        "status": case.status,
        "received_at": case.received_at,
        "source": {"system": case.source_system, "reference": case.source_reference},
    }


@blp.route("/referral-batches")
class ReferralBatches(MethodView):
    @require_roles(Role.INTAKE, Role.COORDINATOR)
    @idempotent
    @blp.response(200, BatchResultSchema)
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {
                    "example": [REFERRAL_EXAMPLE],
                    "schema": {
                        "type": "array",
                        # Each record is validated on its own as a Referral; anything else is reported as
                        # rejected in the results, like any other invalid record (so any value is accepted).
                        "items": {
                            "anyOf": [
                                {"$ref": "#/components/schemas/Referral"},
                                {"description": "Any other value: reported as rejected"},
                            ]
                        },
                    },
                },
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    )
    def post(self) -> ViewAnswer:
        """Submit many referrals as a JSON array or NDJSON; each record is accepted or reported alone."""
        svc = services()
        text = _batch_text(svc.settings.max_batch_bytes)
        mimetype = request.mimetype
        try:
            if mimetype in NDJSON_TYPES:
                records = list(batch.parse_ndjson(text.splitlines()))
            elif mimetype == "application/json":
                records = batch.parse_json_array(text)
            else:
                raise Problem(
                    415, "Unsupported Media Type", "Send application/json (an array) or application/x-ndjson."
                )
        except ValueError as exc:
            detail = f"The batch could not be read: {exc}"
            raise Problem(400, "Bad Request", detail, errors=[{"field": "(body)", "detail": detail}]) from exc
        if len(records) > svc.settings.max_batch_records:
            raise Problem(
                413,
                "Batch too large",
                f"At most {svc.settings.max_batch_records} referrals per batch; split the file.",
            )
        # One unit of work per record, committed as it is accepted: one bad record never costs the others.
        summary = batch.import_records(
            request_unit_of_work,
            g.principal,
            records,
            svc.rulebook,
            g.request_id,
            repeat_keyer=svc.match_keyer,
        ).as_dict()
        record_batch(summary["created"], summary["duplicates"], summary["rejected"])
        return summary


def _batch_text(limit: int) -> str:
    request.max_content_length = limit  # batches may exceed the single-referral body limit
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(400, "Bad Request", "The batch is not UTF-8 text.") from exc
