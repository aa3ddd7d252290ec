"""The self-referral form: its choices, how its answers are read, and the referral they make. Pure: the page,
the tests and the browser test share it. Errors are in the GOV.UK Design System's words ("Enter …",
"Select …"), in the order of the page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SOURCE_SYSTEM = "self-referral"
DESCRIPTION_LIMIT = 2000

WHAT_HAPPENED = (
    ("domestic_abuse", "Domestic abuse", "By a partner, ex-partner or family member"),
    ("sexual_violence", "Sexual violence", "Including rape, sexual assault or abuse, now or in the past"),
    ("hate", "A hate crime or hate incident", "Because of who you are"),
    ("road", "A road traffic collision", None),
    ("other", "Something else", "For example a burglary, robbery, fraud or assault"),
)
HATE_STRANDS = (
    ("race", "Race or ethnicity"),
    ("religion", "Religion or belief"),
    ("sexual_orientation", "Sexual orientation"),
    ("disability", "Disability"),
    ("transgender", "Being transgender"),
)
ROAD_OUTCOMES = (
    ("serious_injury", "Someone was seriously hurt"),
    ("slight_injury", "Someone was slightly hurt"),
    ("fatal", "Someone died"),
)
YES_NO = (("yes", "Yes"), ("no", "No"))
SUSPECT_KNOWS = (("no", "No"), ("yes", "Yes"), ("not_sure", "I'm not sure"))
MESSAGES = (("sms", "Text message"), ("email", "Email"), ("none", "Do not send me messages"))
FLAGS = {
    "domestic_abuse": ["domestic_abuse"],
    "sexual_violence": ["sexual_offence"],
    "road": ["road_traffic_collision"],
}
PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.I)


@dataclass
class Reading:
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field id, message), in page order

    def add(self, field_id: str, message: str) -> None:
        self.errors.append((field_id, message))


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _date(
    form: Mapping[str, str], prefix: str, reading: Reading, what: str, *, required: bool
) -> dt.date | None:
    parts = [_text(form, f"{prefix}_{part}") for part in ("day", "month", "year")]
    if not any(parts):
        if required:
            reading.add(f"{prefix}_day", f"Enter {what}")
        return None
    try:
        day, month, year = (int(p) for p in parts)
        found = dt.date(year, month, day)
    except ValueError:
        reading.add(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must be a real date")
        return None
    if found > dt.date.today() or found.year < 1900:
        reading.add(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must be in the past")
        return None
    return found


def _offence(form: Mapping[str, str], strands: list[str], reading: Reading) -> dict[str, Any]:
    kind = _text(form, "what_happened")
    if kind not in {key for key, _, _ in WHAT_HAPPENED}:
        reading.add("what_happened", "Select what happened")
    chosen_strands = [s for s in strands if s in dict(HATE_STRANDS)]
    if kind == "hate" and not chosen_strands:
        reading.add("hate_strands", "Select what the hate crime was about")
    road = _text(form, "road_outcome")
    if kind == "road" and road not in dict(ROAD_OUTCOMES):
        reading.add("road_outcome", "Select whether anyone was hurt")
    description = _text(form, "description")
    if len(description) > DESCRIPTION_LIMIT:
        reading.add("description", f"What happened must be {DESCRIPTION_LIMIT} characters or fewer")
    reference = _text(form, "police_reference")[:40]
    told = _text(form, "told_police")
    if told not in ("yes", "no"):
        reading.add("told_police", "Select yes if you have told the police")
    if told == "yes" and reference:
        description = f"{description}\n\nPolice reference: {reference}".strip()
    return {
        "home_office_code": None,
        "description": description[:DESCRIPTION_LIMIT] or None,
        "flags": FLAGS.get(kind, []),
        "hate_strands": chosen_strands if kind == "hate" else [],
        "rtc_outcome": road if kind == "road" and road in dict(ROAD_OUTCOMES) else None,
    }


def _contact(form: Mapping[str, str], reading: Reading) -> dict[str, Any]:
    phone, email = _text(form, "phone"), _text(form, "email")
    if not phone and not email:
        reading.add("phone", "Enter a phone number or an email address, so we can contact you")
    if phone and not PHONE.match(phone):
        reading.add("phone", "Enter a phone number, like 07700 900 982")
    if email and not EMAIL.match(email):
        reading.add("email", "Enter an email address in the correct format, like name@example.com")
    safe_to_call, suspect = _text(form, "safe_to_call"), _text(form, "phone_known_to_suspect")
    if phone and safe_to_call not in ("yes", "no"):
        reading.add("safe_to_call", "Select yes if it is safe for us to call you")
    if phone and suspect not in dict(SUSPECT_KNOWS):
        reading.add(
            "phone_known_to_suspect",
            "Select whether the person who harmed you could see messages on this phone",
        )
    messages = _text(form, "preferred_channel")
    if messages not in dict(MESSAGES):
        reading.add("preferred_channel", "Select how we may send you messages")
    elif messages == "sms" and not phone:
        reading.add("preferred_channel", "Enter a phone number to get text messages, or choose another way")
    elif messages == "email" and not email:
        reading.add("preferred_channel", "Enter an email address to get emails, or choose another way")
    safe_times = _text(form, "safe_times")
    if len(safe_times) > 200:
        reading.add("safe_times", "When it is safe to contact you must be 200 characters or fewer")
    return {
        "phone": phone or None,
        "email": email or None,
        "safe_to_call": safe_to_call == "yes",
        "safe_times": safe_times or None,
        "voicemail_ok": {"yes": True, "no": False}.get(_text(form, "voicemail_ok")),
        # Not sure is read as yes: the safe assumption when a text could be seen.
        "phone_known_to_suspect": suspect in ("yes", "not_sure") if phone else None,
        "preferred_channel": messages if messages in ("sms", "email") else None,
        "address_lines": [],
    }


def read_form(
    form: Mapping[str, str], strands: list[str], areas: tuple[str, ...], now: dt.datetime
) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """The referral (the intake contract's JSON) the answers make, or the errors to show."""
    reading = Reading()
    offence = _offence(form, strands, reading)
    occurred = _date(form, "when", reading, "the date it happened", required=False)
    given, family = _text(form, "given_name"), _text(form, "family_name")
    if not given:
        reading.add("given_name", "Enter your first name")
    if len(given) > 100 or len(family) > 100:
        reading.add("given_name", "Names must be 100 characters or fewer")
    born = _date(form, "dob", reading, "your date of birth", required=True)
    postcode = _text(form, "postcode").upper()
    if postcode and not POSTCODE.match(postcode):
        reading.add("postcode", "Enter a real postcode, like WR1 2AB")
    area = _text(form, "policing_area")
    if area not in areas:
        reading.add("policing_area", "Select where you live")
    contact = _contact(form, reading)
    if _text(form, "consent") != "given":
        reading.add("consent", "Tick the box to say we may pass your details to a support service")
    if reading.errors:
        return None, reading.errors
    moment = now.isoformat()
    if occurred is not None:
        offence["occurred_at"] = dt.datetime.combine(
            min(occurred, now.date()), dt.time(12), dt.UTC
        ).isoformat()
        offence["occurred_at"] = min(offence["occurred_at"], moment)
    return {
        "source": {"system": SOURCE_SYSTEM, "reference": _text(form, "form_id")[:64] or "missing"},
        "reported_at": moment,
        "offence": offence,
        "victim": {
            "given_name": given,
            "family_name": family or None,
            "date_of_birth": born.isoformat() if born else None,
            "postcode": postcode or None,
            "policing_area": area,
            "relationship": "direct",
            "contact": contact,
        },
        "consent": {"support_referral": "given", "recorded_at": moment},
    }, []
