"""The referral intake contract v1 (docs/domain.md): field names are the contract; unknown fields are refused."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from val.http.schemas import (
    ConfiguredChoices,
    Day,
    Instant,
    StrictSchema,
    TrueOrFalse,
    WholeNumber,
    not_in_future,
)
from val.referrals.domain import Referral

OFFENCE_FLAGS = (
    "domestic_abuse",
    "sexual_offence",
    "child_criminal_exploitation",
    "modern_slavery",
    "terrorism",
    "honour_based_abuse",
    "stalking",
    "road_traffic_collision",
)
HATE_STRANDS = ("race", "religion", "sexual_orientation", "disability", "transgender")
RTC_OUTCOMES = ("fatal", "serious_injury", "slight_injury")
RELATIONSHIPS = ("direct", "bereaved_relative", "parent_of_child_victim")
VULNERABILITIES = ("mental_disorder", "learning_disability", "physical_disability", "other")
CONSENT_VALUES = ("given", "declined", "not_asked", "opted_out")
MESSAGE_CHANNELS = ("sms", "email", "letter")
RISK_TOOLS = ("dash_ric_24", "dash_police_27", "dara", "other")
RISK_LEVELS = ("standard", "medium", "high")
CCE_LEVELS = ("green", "amber", "red")
DASH_ANSWERS = ("yes", "no", "unknown")
QUESTIONS_PER_TOOL = {"dash_ric_24": 24, "dash_police_27": 27}

# UK postcode, outward and inward parts (the Royal Mail format, spacing optional).
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)
HOME_OFFICE_CODE = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,2})?[A-Z]?$", re.IGNORECASE)

# Set from settings when the app or CLI starts (the list of policing areas is configurable).
POLICING_AREAS = ConfiguredChoices()


def configure_policing_areas(areas: tuple[str, ...]) -> None:
    POLICING_AREAS.configure(areas)


# The OpenAPI document's example: a fictional victim (docs/domain.md example), the shape a police system sends.
REFERRAL_EXAMPLE: dict[str, Any] = {
    "source": {"system": "police-rms", "reference": "22/004512/26"},
    "reported_at": "2026-11-14T14:00:00Z",
    "offence": {
        "home_office_code": "8N",
        "description": "Assault with injury",
        "occurred_at": "2026-11-14T12:30:00Z",
        "flags": ["domestic_abuse"],
        "hate_strands": [],
        "rtc_outcome": None,
    },
    "victim": {
        "given_name": "Alexandra",
        "family_name": "Quinterro",
        "date_of_birth": "1992-03-01",
        "gender": "female",
        "postcode": "WR1 2AB",
        "policing_area": "south_worcestershire",
        "relationship": "direct",
        "contact": {
            "phone": "+447700900123",
            "email": None,
            "safe_to_call": True,
            "safe_times": "after 18:00",
            "voicemail_ok": False,
            "phone_known_to_suspect": False,
        },
        "language": "en",
        "needs_interpreter": False,
        "vulnerabilities": [],
        "persistently_targeted": False,
        "intimidated": False,
        "in_hospital": False,
        "children_in_household": 0,
    },
    "consent": {"support_referral": "given", "recorded_at": "2026-11-14T14:05:00Z"},
    "risk": {
        "tool": "dash_ric_24",
        "yes_count": 15,
        "answers": None,
        "assessed_level": None,
        "professional_judgement_high": False,
        "incidents_last_12_months": 1,
        "last_marac_referral_on": None,
        "cce_level": None,
    },
}


def one_of(choices: tuple[str, ...]) -> validate.OneOf:
    return validate.OneOf(choices, error="Must be one of: {choices}.")


def text(max_length: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


class SourceSchema(StrictSchema):
    system = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=64))


class OffenceSchema(StrictSchema):
    home_office_code = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Regexp(
            HOME_OFFICE_CODE, error="Not a Home Office offence code (e.g. 8N, 4.4, 105B)."
        ),
    )
    description = text(2000, allow_none=True, load_default=None)
    occurred_at = Instant(allow_none=True, load_default=None, validate=not_in_future)
    flags = fields.List(fields.String(validate=one_of(OFFENCE_FLAGS)), required=True)
    hate_strands = fields.List(fields.String(validate=one_of(HATE_STRANDS)), load_default=list)
    rtc_outcome = fields.String(allow_none=True, load_default=None, validate=one_of(RTC_OUTCOMES))


class ContactSchema(StrictSchema):
    phone = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Regexp(r"^\+?[0-9 ()-]{6,20}$", error="Not a telephone number."),
    )
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    safe_to_call = TrueOrFalse(required=True)
    safe_times = text(200, allow_none=True, load_default=None)
    voicemail_ok = TrueOrFalse(allow_none=True, load_default=None)
    phone_known_to_suspect = TrueOrFalse(allow_none=True, load_default=None)
    preferred_channel = fields.String(allow_none=True, load_default=None, validate=one_of(MESSAGE_CHANNELS))
    address_lines = fields.List(text(100), load_default=list, validate=validate.Length(max=6))


class VictimSchema(StrictSchema):
    given_name = text(100, allow_none=True, load_default=None)
    family_name = text(100, allow_none=True, load_default=None)
    date_of_birth = Day(required=True, validate=not_in_future)
    gender = text(40, allow_none=True, load_default=None)
    postcode = fields.String(
        allow_none=True, load_default=None, validate=validate.Regexp(POSTCODE, error="Not a UK postcode.")
    )
    policing_area = fields.String(required=True, validate=POLICING_AREAS)
    relationship = fields.String(load_default="direct", validate=one_of(RELATIONSHIPS))
    contact = fields.Nested(ContactSchema, required=True)
    language = text(20, allow_none=True, load_default=None)
    needs_interpreter = TrueOrFalse(load_default=False)
    vulnerabilities = fields.List(fields.String(validate=one_of(VULNERABILITIES)), load_default=list)
    persistently_targeted = TrueOrFalse(load_default=False)
    intimidated = TrueOrFalse(load_default=False)
    in_hospital = TrueOrFalse(load_default=False)
    children_in_household = WholeNumber(load_default=0, validate=validate.Range(min=0, max=30))


class ConsentSchema(StrictSchema):
    support_referral = fields.String(required=True, validate=one_of(CONSENT_VALUES))
    recorded_at = Instant(allow_none=True, load_default=None, validate=not_in_future)


class RiskSchema(StrictSchema):
    tool = fields.String(allow_none=True, load_default=None, validate=one_of(RISK_TOOLS))
    yes_count = WholeNumber(allow_none=True, load_default=None, validate=validate.Range(min=0, max=27))
    answers = fields.Dict(
        keys=fields.String(validate=one_of(tuple(str(n) for n in range(1, 28)))),
        values=fields.String(validate=one_of(DASH_ANSWERS)),
        allow_none=True,
        load_default=None,
    )
    assessed_level = fields.String(allow_none=True, load_default=None, validate=one_of(RISK_LEVELS))
    professional_judgement_high = TrueOrFalse(load_default=False)
    incidents_last_12_months = WholeNumber(
        allow_none=True, load_default=None, validate=validate.Range(min=0, max=1000)
    )
    last_marac_referral_on = Day(allow_none=True, load_default=None, validate=not_in_future)
    cce_level = fields.String(allow_none=True, load_default=None, validate=one_of(CCE_LEVELS))

    @validates_schema
    def _questions_fit_the_tool(self, data: dict[str, Any], **_: Any) -> None:
        questions = QUESTIONS_PER_TOOL.get(data.get("tool") or "")
        if questions is None:
            return
        if data.get("yes_count") is not None and data["yes_count"] > questions:
            raise ma.ValidationError(f"{data['tool']} has {questions} questions.", field_name="yes_count")
        beyond = sorted((k for k in data.get("answers") or {} if int(k) > questions), key=int)
        if beyond:
            raise ma.ValidationError(
                f"{data['tool']} has {questions} questions; no question {', '.join(beyond)}.",
                field_name="answers",
            )


class ReferralSchema(StrictSchema):
    """The intake contract; `load` gives a typed `Referral`."""

    source = fields.Nested(SourceSchema, required=True)
    reported_at = Instant(required=True, validate=not_in_future)
    offence = fields.Nested(OffenceSchema, required=True)
    victim = fields.Nested(VictimSchema, required=True)
    consent = fields.Nested(ConsentSchema, required=True)
    risk = fields.Nested(RiskSchema, allow_none=True, load_default=None)

    @validates_schema(skip_on_field_errors=True)
    def _dates_are_in_order(self, data: dict[str, Any], **_: Any) -> None:
        offence_at: dt.datetime = data["offence"]["occurred_at"] or data["reported_at"]
        if data["victim"]["date_of_birth"] > offence_at.date():
            raise ma.ValidationError(
                "The date of birth is after the offence.", field_name="victim.date_of_birth"
            )
        occurred = data["offence"]["occurred_at"]
        if occurred is not None and occurred > data["reported_at"]:
            raise ma.ValidationError(
                "The offence cannot have occurred after it was reported.", field_name="offence.occurred_at"
            )

    @ma.post_load
    def _typed(self, data: dict[str, Any], **_: Any) -> Referral:
        return Referral.from_payload(data)


class ReferralLookupSchema(StrictSchema):
    reference = fields.String(
        validate=validate.Length(min=1, max=30), metadata={"description": "VAL's reference, VAL-YYYY-NNNNNN"}
    )
    source_reference = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The sending system's own reference"},
    )
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=200),
        metadata={"description": "The most referrals to answer, newest first (as every list)"},
    )

    @ma.validates_schema(skip_on_field_errors=True)
    def _one_of(self, data: dict[str, Any], **_: Any) -> None:
        if ("reference" in data) == ("source_reference" in data):
            raise ma.ValidationError(
                "Give reference or source_reference (one of them).", field_name="reference"
            )
