"""The answers of intake and the core of every case view (docs/domain.md), narrowed per audience."""

from __future__ import annotations

import uuid
from typing import Any

from marshmallow import fields

from val.compliance.schemas import PointSchema
from val.http.output import ComputedUUID, OutputSchema, enum_string
from val.referrals.schemas import MESSAGE_CHANNELS
from val.routing.schemas import RouteSchema
from val.triage.domain import CaseStatus, ConsentModel, CrimeType, EnhancedReason, RiskLevel


class ContactOutSchema(OutputSchema):
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    safe_to_call = fields.Boolean()
    safe_times = fields.String(allow_none=True)
    voicemail_ok = fields.Boolean(allow_none=True)
    phone_known_to_suspect = fields.Boolean(allow_none=True)
    preferred_channel = enum_string(MESSAGE_CHANNELS, allow_none=True)
    address_lines = fields.List(fields.String())


class SourceOutSchema(OutputSchema):
    system = fields.String()
    reference = fields.String()


class ReferralStatusSchema(OutputSchema):
    """What an intake credential may see of a referral it submitted: where it is, nothing about who."""

    id = fields.UUID()
    reference = fields.String()
    status = enum_string(CaseStatus)
    source = fields.Nested(SourceOutSchema)
    received_at = fields.DateTime()


class ReferralLookupResultSchema(OutputSchema):
    items = fields.List(fields.Nested(ReferralStatusSchema))
    next_cursor = fields.String(
        allow_none=True, metadata={"description": "Always null: a lookup is one page"}
    )


class RecordErrorSchema(OutputSchema):
    field = fields.String(metadata={"description": "The bad field, by its dotted path"})
    detail = fields.String()


class BatchRecordResultSchema(OutputSchema):
    """One record of a batch: `id` and `reference` when it was created or found a duplicate, `errors` when it
    was rejected."""

    optional = ("id", "reference", "errors")

    line = fields.Integer()
    outcome = enum_string(("created", "duplicate", "rejected"))
    id = fields.UUID()
    reference = fields.String()
    errors = fields.List(fields.Nested(RecordErrorSchema), metadata={"description": "Why it was rejected"})


class BatchResultSchema(OutputSchema):
    received = fields.Integer()
    created = fields.Integer()
    duplicates = fields.Integer()
    rejected = fields.Integer()
    results = fields.List(fields.Nested(BatchRecordResultSchema))


# The triaged case: the intake response and the core of every case view (docs/domain.md).


class ExplanationSchema(OutputSchema):
    rule = fields.String()
    because = fields.String()


class TriageOutSchema(OutputSchema):
    crime_types = fields.List(enum_string(CrimeType))
    risk_level = enum_string(RiskLevel, allow_none=True)
    marac = fields.Boolean()
    enhanced_rights = fields.Boolean()
    enhanced_reasons = fields.List(enum_string(EnhancedReason))
    consent_model = enum_string(ConsentModel)
    rules_version = fields.String()
    explanation = fields.List(fields.Nested(ExplanationSchema))


class CaseSchema(OutputSchema):
    """The intake response and the core of every case view (docs/domain.md)."""

    id = fields.UUID()
    reference = fields.String()
    status = enum_string(CaseStatus)
    received_at = fields.DateTime()
    triage = fields.Nested(TriageOutSchema)
    # Filled by routing and compliance as those features land; always present so clients can rely on them.
    routes = fields.List(fields.Nested(RouteSchema), attribute="assignments")
    compliance_points = fields.List(fields.Nested(PointSchema))
    duplicate_of = ComputedUUID(
        "_duplicate_of",
        allow_none=True,
        metadata={"description": "In the intake response: the case this referral duplicates; null otherwise"},
    )

    def _duplicate_of(self, case: Any) -> uuid.UUID | None:
        return getattr(case, "duplicate_of", None)


class DuplicateSchema(OutputSchema):
    """A duplicate of a referral another credential sent: that it is one, and nothing of the case."""

    duplicate_of = fields.UUID()
    reference = fields.String()
