"""How a case is shown to coordinators: the intake shape (DOMAIN §3) with the victim and offence."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from val.compliance.schemas import EventInSchema, EventOutSchema
from val.http.schemas import StrictSchema
from val.referrals.schemas import CaseSchema, ConsentSchema

__all__ = ["EventInSchema", "EventOutSchema"]


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
