from __future__ import annotations

from marshmallow import fields, validate

from val.http.output import OutputSchema, SelectiveOutputSchema, enum_string
from val.http.pagination import PageQuerySchema
from val.http.schemas import Instant, StrictSchema, not_in_future
from val.provider_portal.presenter import AGE_BAND_NAMES
from val.providers.directory import SERVICES
from val.referrals.answers import ContactOutSchema, ExplanationSchema
from val.referrals.schemas import (
    CCE_LEVELS,
    DASH_ANSWERS,
    HATE_STRANDS,
    RELATIONSHIPS,
    RTC_OUTCOMES,
    VULNERABILITIES,
)
from val.routing.states import DECLINE_CODES, OUTCOMES, AssignmentStatus
from val.triage.domain import CrimeType, RiskLevel


class ReferralSummarySchema(OutputSchema):
    assignment_id = fields.UUID()
    case_reference = fields.String()
    service = enum_string(SERVICES)
    status = enum_string(AssignmentStatus)
    offered_at = fields.DateTime()
    respond_by = fields.DateTime(allow_none=True)
    policing_area = fields.String()


class DisclosureSchema(OutputSchema):
    stage = enum_string(
        ("offer", "full"),
        metadata={"description": "offer: enough to decide, no identity; full: the service's whole view"},
    )
    reason = fields.String()


class ProviderVictimSchema(SelectiveOutputSchema):
    """What the service may see of the victim (docs/providers.md): at offer, the age band, language, interpreter
    and vulnerabilities; once accepted, its service's fields."""

    age_band = enum_string(
        AGE_BAND_NAMES, metadata={"description": "At offer only: instead of a date of birth"}
    )
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    contact = fields.Nested(ContactOutSchema, allow_none=True)
    language = fields.String(allow_none=True)
    needs_interpreter = fields.Boolean()
    date_of_birth = fields.String(metadata={"format": "date"})
    postcode = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    relationship = enum_string(RELATIONSHIPS)
    children_in_household = fields.Integer()
    vulnerabilities = fields.List(enum_string(VULNERABILITIES))
    in_hospital = fields.Boolean()


class ProviderOffenceSchema(SelectiveOutputSchema):
    occurred_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    hate_strands = fields.List(enum_string(HATE_STRANDS))
    rtc_outcome = enum_string(RTC_OUTCOMES, allow_none=True)


class ProviderTriageSchema(SelectiveOutputSchema):
    crime_types = fields.List(enum_string(CrimeType))
    enhanced_rights = fields.Boolean()
    risk_level = enum_string(RiskLevel, allow_none=True)
    explanation = fields.List(fields.Nested(ExplanationSchema))


class ProviderRiskSchema(SelectiveOutputSchema):
    yes_count = fields.Integer(allow_none=True)
    answers = fields.Dict(keys=fields.String(), values=enum_string(DASH_ANSWERS), allow_none=True)
    incidents_last_12_months = fields.Integer(allow_none=True)
    last_marac_referral_on = fields.String(allow_none=True, metadata={"format": "date"})
    professional_judgement_high = fields.Boolean(allow_none=True)
    cce_level = enum_string(CCE_LEVELS, allow_none=True)


class ProviderOutcomeSchema(OutputSchema):
    """The provider's last outcome, or why the referral was withdrawn."""

    optional = ("outcome", "withdrawn")

    outcome = enum_string(OUTCOMES)
    withdrawn = fields.String(metadata={"description": "Why VAL took the referral back"})
    at = fields.String(metadata={"format": "date-time"})


class ProviderReferralSchema(ReferralSummarySchema):
    """The service's own view; which keys appear depends on the service and the stage (docs/providers.md).
    Once the referral is no longer the provider's, the summary and outcome alone."""

    optional = ("victim", "offence", "triage", "risk", "disclosure")

    victim = fields.Nested(ProviderVictimSchema)
    offence = fields.Nested(ProviderOffenceSchema)
    triage = fields.Nested(ProviderTriageSchema)
    risk = fields.Nested(ProviderRiskSchema)
    outcome = fields.Nested(ProviderOutcomeSchema, allow_none=True)
    disclosure = fields.Nested(DisclosureSchema)


class ListQuerySchema(PageQuerySchema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf([s.value for s in AssignmentStatus if s is not AssignmentStatus.UNASSIGNED]),
    )


class DeclineSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=1000))
    reason_code = fields.String(
        load_default="other",
        validate=validate.OneOf(DECLINE_CODES),
        metadata={"description": "Why, as the commissioner's return counts it"},
    )


class OutcomeSchema(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(tuple(OUTCOMES)))
    at = Instant(required=True, validate=not_in_future)


class AnswerSchema(OutputSchema):
    assignment_id = fields.UUID(attribute="id")
    status = enum_string(AssignmentStatus)
    service = enum_string(SERVICES)
