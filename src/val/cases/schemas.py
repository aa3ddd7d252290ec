"""How a case is shown: the DOMAIN §3 shape, and the fuller coordinator view."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from val.compliance.schemas import EventInSchema, EventOutSchema, PointSchema
from val.http.schemas import StrictSchema
from val.referrals.schemas import ConsentSchema
from val.routing.schemas import RouteSchema

__all__ = ["EventInSchema", "EventOutSchema"]


class ExplanationSchema(ma.Schema):
    rule = fields.String()
    because = fields.String()


class TriageOutSchema(ma.Schema):
    crime_types = fields.List(fields.String())
    risk_level = fields.String(allow_none=True)
    marac = fields.Boolean()
    enhanced_rights = fields.Boolean()
    enhanced_reasons = fields.List(fields.String())
    consent_model = fields.String()
    rules_version = fields.String()
    explanation = fields.List(fields.Nested(ExplanationSchema))


class CaseSchema(ma.Schema):
    """The intake response and the core of every case view (DOMAIN §3)."""

    id = fields.UUID()
    reference = fields.String()
    status = fields.String()
    received_at = fields.DateTime()
    triage = fields.Nested(TriageOutSchema)
    # Filled by routing and compliance as those features land; always present so clients can rely on them.
    routes = fields.List(fields.Nested(RouteSchema), attribute="assignments")
    compliance_points = fields.List(fields.Nested(PointSchema))
    duplicate_of = fields.UUID(allow_none=True)


class ContactOutSchema(ma.Schema):
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    safe_to_call = fields.Boolean()
    safe_times = fields.String(allow_none=True)
    voicemail_ok = fields.Boolean(allow_none=True)
    phone_known_to_suspect = fields.Boolean(allow_none=True)


class VictimOutSchema(ma.Schema):
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    date_of_birth = fields.Date()
    gender = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    policing_area = fields.String()
    relationship = fields.String()
    contact = fields.Nested(ContactOutSchema)
    language = fields.String(allow_none=True)
    needs_interpreter = fields.Boolean()
    vulnerabilities = fields.List(fields.String())
    persistently_targeted = fields.Boolean()
    intimidated = fields.Boolean()
    in_hospital = fields.Boolean()
    children_in_household = fields.Integer()


class OffenceOutSchema(ma.Schema):
    home_office_code = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    occurred_at = fields.DateTime(allow_none=True)
    flags = fields.List(fields.String())
    hate_strands = fields.List(fields.String())
    rtc_outcome = fields.String(allow_none=True)


class CoordinatorCaseSchema(CaseSchema):
    """Coordinators manage the whole case, so they also see who the victim is and what happened."""

    source = fields.Method("_source")
    reported_at = fields.DateTime()
    consent = fields.Method("_consent")
    victim = fields.Nested(VictimOutSchema)
    offence = fields.Nested(OffenceOutSchema)
    risk = fields.Function(lambda case: case.triage.risk_input)

    def _source(self, case) -> dict:  # noqa: ANN001
        return {"system": case.source_system, "reference": case.source_reference}

    def _consent(self, case) -> dict:  # noqa: ANN001
        recorded = case.consent_recorded_at.isoformat() if case.consent_recorded_at else None
        return {"support_referral": case.consent_support_referral, "recorded_at": recorded}


class CaseIdSchema(ma.Schema):
    case_id = fields.UUID(required=True)


class CasePatchSchema(StrictSchema):
    consent = fields.Nested(ConsentSchema, required=True)
