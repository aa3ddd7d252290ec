"""How a case is shown to coordinators: the intake shape (docs/domain.md) with the victim and offence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from val.cases.repeats import repeat_view
from val.casework.timeline import TIMELINE_KINDS
from val.compliance.schemas import EventInSchema, EventOutSchema
from val.http.output import ComputedNested, ComputedString, OutputSchema, enum_string
from val.http.pagination import PageQuerySchema
from val.http.schemas import Day, Instant, StrictSchema, TrueOrFalse, not_in_future
from val.providers.directory import SERVICES
from val.referrals.answers import CaseSchema, ContactOutSchema, SourceOutSchema
from val.referrals.schemas import (
    CCE_LEVELS,
    CONSENT_VALUES,
    DASH_ANSWERS,
    HATE_STRANDS,
    MESSAGE_CHANNELS,
    OFFENCE_FLAGS,
    POLICING_AREAS,
    RELATIONSHIPS,
    RISK_LEVELS,
    RISK_TOOLS,
    RTC_OUTCOMES,
    VULNERABILITIES,
    ConsentSchema,
)
from val.routing.states import OUTCOMES
from val.triage.domain import CaseStatus, CrimeType, RiskLevel

__all__ = ["EventInSchema", "EventOutSchema"]

# Casework (docs/casework.md).
CASE_STATUSES = ("triaged", "awaiting_consent", "routed", "in_support", "closed", "no_referral")
SORTS = ("priority", "received_at", "-received_at")
CHANNELS = ("phone", "sms", "email", "letter", "in_person")
ATTEMPT_OUTCOMES = (
    "reached",
    "no_answer",
    "voicemail_left",
    "unsafe_to_talk",
    "wrong_number",
    "declined_support",
)
CLOSURE_OUTCOMES = ("supported", "support_declined", "unable_to_contact", "transferred", "no_further_action")
# Not an enum in answers: the list of areas is configuration, and a case keeps the area it was received with.
AREA_AS_RECEIVED = "The policing area the case was received with"


class VictimOutSchema(OutputSchema):
    given_name = fields.String(allow_none=True)
    family_name = fields.String(allow_none=True)
    date_of_birth = Day(allow_none=True, metadata={"description": "null once anonymised"})
    gender = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    policing_area = fields.String(metadata={"description": AREA_AS_RECEIVED})
    relationship = enum_string(RELATIONSHIPS)
    contact = ComputedNested(
        ContactOutSchema, "_contact", allow_none=True, metadata={"description": "null once anonymised"}
    )
    language = fields.String(allow_none=True)
    needs_interpreter = fields.Boolean()
    vulnerabilities = fields.List(enum_string(VULNERABILITIES))
    persistently_targeted = fields.Boolean()
    intimidated = fields.Boolean()
    in_hospital = fields.Boolean()
    children_in_household = fields.Integer()

    def _contact(self, victim: Any) -> dict[str, Any] | None:
        return victim.contact or None  # anonymising empties it


class OffenceOutSchema(OutputSchema):
    home_office_code = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    occurred_at = fields.DateTime(allow_none=True)
    flags = fields.List(enum_string(OFFENCE_FLAGS))
    hate_strands = fields.List(enum_string(HATE_STRANDS))
    rtc_outcome = enum_string(RTC_OUTCOMES, allow_none=True)


class RepeatSchema(OutputSchema):
    """Earlier cases of the same victim received in the 12 months before this one (docs/data-lifecycle.md)."""

    previous_cases_12_months = fields.Integer()
    last_received_on = Day()


class ConsentOutSchema(OutputSchema):
    support_referral = enum_string(CONSENT_VALUES)
    recorded_at = fields.DateTime(allow_none=True)


class RiskOutSchema(OutputSchema):
    """The risk assessment as the police system sent it; `answers` is null once the case is anonymised."""

    tool = enum_string(RISK_TOOLS, allow_none=True)
    yes_count = fields.Integer(allow_none=True)
    answers = fields.Dict(keys=fields.String(), values=enum_string(DASH_ANSWERS), allow_none=True)
    assessed_level = enum_string(RISK_LEVELS, allow_none=True)
    professional_judgement_high = fields.Boolean()
    incidents_last_12_months = fields.Integer(allow_none=True)
    last_marac_referral_on = Day(allow_none=True)
    cce_level = enum_string(CCE_LEVELS, allow_none=True)


class CoordinatorCaseSchema(CaseSchema):
    """Coordinators manage the whole case, so they also see who the victim is and what happened."""

    owner = ComputedString(
        "_owner",
        allow_none=True,
        metadata={"description": "The owning coordinator credential's name; null for nobody"},
    )
    closed_at = fields.DateTime(allow_none=True)
    closure_outcome = enum_string(
        dict.fromkeys((*CLOSURE_OUTCOMES, *OUTCOMES)),
        allow_none=True,
        metadata={"description": "A coordinator's closure, or the last provider's outcome"},
    )

    source = ComputedNested(SourceOutSchema, "_source")
    reported_at = fields.DateTime()
    consent = ComputedNested(ConsentOutSchema, "_consent")
    victim = fields.Nested(VictimOutSchema)
    offence = fields.Nested(OffenceOutSchema)
    risk = ComputedNested(
        RiskOutSchema,
        "_risk",
        allow_none=True,
        metadata={"description": "The risk assessment sent with the referral; null when none was sent"},
    )
    repeat = ComputedNested(
        RepeatSchema,
        "_repeat",
        allow_none=True,
        metadata={"description": "A repeat victim: earlier cases in 12 months (null for a first referral)"},
    )
    anonymised_at = fields.DateTime(allow_none=True)

    def _owner(self, case: Any) -> str | None:
        return getattr(case, "owner_name", None)

    def _source(self, case: Any) -> dict[str, Any]:
        return {"system": case.source_system, "reference": case.source_reference}

    def _consent(self, case: Any) -> dict[str, Any]:
        return {"support_referral": case.consent_support_referral, "recorded_at": case.consent_recorded_at}

    def _risk(self, case: Any) -> dict[str, Any] | None:
        sent = case.triage.risk_input
        if not sent:
            return None
        # Every key, null where it was not sent (or, for the answers, has been erased).
        risk = {name: sent.get(name) for name in RiskOutSchema._declared_fields}
        if isinstance(risk["last_marac_referral_on"], str):
            risk["last_marac_referral_on"] = dt.date.fromisoformat(risk["last_marac_referral_on"])
        return risk

    def _repeat(self, case: Any) -> dict[str, Any] | None:
        if not case.repeat_previous_cases:
            return None
        return repeat_view(case.repeat_previous_cases, case.repeat_last_received_on)


# --- Casework (docs/casework.md) -----------------------------------------------------------------------------------


def _statuses(value: str) -> None:
    unknown = [s for s in value.split(",") if s.strip() not in CASE_STATUSES]
    if unknown:
        raise ma.ValidationError(f"Unknown status; one or more of: {', '.join(CASE_STATUSES)}.")


class CaseQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=[validate.Length(max=200), _statuses])
    crime_type = fields.String(load_default=None, validate=validate.OneOf([c.value for c in CrimeType]))
    risk_level = fields.String(load_default=None, validate=validate.OneOf(("standard", "medium", "high")))
    service = fields.String(load_default=None, validate=validate.OneOf(SERVICES))
    provider_id = fields.String(load_default=None, validate=validate.Length(max=60))
    policing_area = fields.String(load_default=None, validate=POLICING_AREAS)
    enhanced = fields.Boolean(load_default=None)
    owner = fields.String(load_default=None, validate=validate.Length(min=1, max=100))
    overdue = fields.Boolean(load_default=None)
    due_before = Day(load_default=None)
    received_from = Day(load_default=None)
    received_to = Day(load_default=None)
    q = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Search as typed: a VAL or source reference, a phone however written, a postcode or "
            "its district (DY10), a date of birth (01/03/1992), a given name, a full name either way round, or "
            "the start of a family name (docs/casework.md, Search)"
        },
    )
    sort = fields.String(load_default="priority", validate=validate.OneOf(SORTS))


class RecordedEventSchema(EventOutSchema):
    class Meta:
        exclude = ("compliance_points",)


class CaseListItemSchema(OutputSchema):
    id = fields.UUID()
    reference = fields.String()
    victim_name = fields.String(
        allow_none=True, metadata={"description": "Given and family name; null once anonymised"}
    )
    status = enum_string(CaseStatus)
    received_at = fields.DateTime()
    crime_types = fields.List(enum_string(CrimeType))
    risk_level = enum_string(RiskLevel, allow_none=True)
    enhanced_rights = fields.Boolean()
    policing_area = fields.String(metadata={"description": AREA_AS_RECEIVED})
    owner = fields.String(allow_none=True)
    services = fields.List(enum_string(SERVICES))
    next_due_on = Day(allow_none=True)
    overdue_points = fields.Integer()
    repeat = fields.Nested(RepeatSchema, allow_none=True)


class ContactPatchSchema(StrictSchema):
    """Any of the safe-contact fields; those left out stay as they are."""

    phone = fields.String(
        allow_none=True, validate=validate.Regexp(r"^\+?[0-9 ()-]{6,20}$", error="Not a telephone number.")
    )
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    safe_to_call = TrueOrFalse()
    safe_times = fields.String(allow_none=True, validate=validate.Length(max=200))
    voicemail_ok = TrueOrFalse(allow_none=True)
    phone_known_to_suspect = TrueOrFalse(allow_none=True)
    preferred_channel = fields.String(allow_none=True, validate=validate.OneOf(MESSAGE_CHANNELS))
    address_lines = fields.List(
        fields.String(validate=validate.Length(max=100)), validate=validate.Length(max=6)
    )

    @ma.validates_schema
    def _not_empty(self, data: dict[str, Any], **_: object) -> None:
        if not data:
            raise ma.ValidationError("Name at least one contact field to change.")


class CasePatchSchema(StrictSchema):
    """Consent, owner and safe contact, alone or together; a contact change needs If-Match."""

    consent = fields.Nested(ConsentSchema)
    owner = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": '"me", a coordinator credential\'s name, or null for nobody'},
    )
    contact = fields.Nested(ContactPatchSchema)

    @ma.validates_schema
    def _something(self, data: dict[str, Any], **_: object) -> None:
        if not data:
            raise ma.ValidationError("Send consent, owner or contact.")


class AttemptInSchema(StrictSchema):
    at = Instant(required=True, validate=not_in_future)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    outcome = fields.String(required=True, validate=validate.OneOf(ATTEMPT_OUTCOMES))


class AttemptOutSchema(OutputSchema):
    id = fields.UUID()
    case_id = fields.UUID()
    at = fields.DateTime()
    channel = enum_string(CHANNELS)
    outcome = enum_string(ATTEMPT_OUTCOMES)
    recorded_at = fields.DateTime()


class NoteInSchema(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    corrects = fields.UUID(load_default=None)


class NoteOutSchema(OutputSchema):
    id = fields.UUID()
    author = fields.String()
    created_at = fields.DateTime()
    text = fields.String()
    corrects = fields.UUID(allow_none=True)


class CloseSchema(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(CLOSURE_OUTCOMES))
    at = Instant(required=True, validate=not_in_future)
    reason = fields.String(load_default=None, validate=validate.Length(min=1, max=1000))
    withdraw_open = TrueOrFalse(load_default=False)


class ReopenSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    offer_again = fields.Boolean(
        load_default=True,
        metadata={
            "description": "Offer the services routing wants for the case again (through the consent gate); "
            "false to reopen for casework only"
        },
    )


class TimelineItemSchema(OutputSchema):
    at = fields.DateTime()
    kind = enum_string(TIMELINE_KINDS)
    summary = fields.String()
    actor = fields.String()


class TimelineSchema(OutputSchema):
    items = fields.List(fields.Nested(TimelineItemSchema))
