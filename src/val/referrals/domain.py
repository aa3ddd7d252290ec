"""A referral as intake works with it: typed values made once, when the intake schema has loaded and checked the
payload (docs/domain.md has the contract). Pure: no I/O, no framework."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    system: str
    reference: str


@dataclass(frozen=True)
class Offence:
    flags: tuple[str, ...]
    hate_strands: tuple[str, ...] = ()
    home_office_code: str | None = None
    description: str | None = None
    occurred_at: dt.datetime | None = None
    rtc_outcome: str | None = None


@dataclass(frozen=True)
class Contact:
    safe_to_call: bool
    phone: str | None = None
    email: str | None = None
    safe_times: str | None = None
    voicemail_ok: bool | None = None
    phone_known_to_suspect: bool | None = None
    # How the victim would like VAL to write to them (docs/victims.md): sms, email or letter; None: not said.
    preferred_channel: str | None = None
    address_lines: list[str] = field(default_factory=list)  # for letters; the postcode is the victim's own


@dataclass(frozen=True)
class Victim:
    date_of_birth: dt.date
    policing_area: str
    contact: Contact
    given_name: str | None = None
    family_name: str | None = None
    gender: str | None = None
    postcode: str | None = None
    relationship: str = "direct"
    language: str | None = None
    needs_interpreter: bool = False
    vulnerabilities: tuple[str, ...] = ()
    persistently_targeted: bool = False
    intimidated: bool = False
    in_hospital: bool = False
    children_in_household: int = 0


@dataclass(frozen=True)
class Consent:
    support_referral: str
    recorded_at: dt.datetime | None = None


@dataclass(frozen=True)
class Risk:
    tool: str | None = None
    yes_count: int | None = None
    answers: dict[str, str] | None = None
    assessed_level: str | None = None
    professional_judgement_high: bool = False
    incidents_last_12_months: int | None = None
    last_marac_referral_on: dt.date | None = None
    cce_level: str | None = None


@dataclass(frozen=True)
class Referral:
    source: Source
    reported_at: dt.datetime
    offence: Offence
    victim: Victim
    consent: Consent
    risk: Risk | None = None

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Referral:
        """From the intake schema's checked payload (nested mappings, every optional field present or not)."""
        victim = dict(payload["victim"])
        victim["contact"] = Contact(**victim["contact"])
        victim["vulnerabilities"] = tuple(victim.get("vulnerabilities", ()))
        offence = dict(payload["offence"])
        offence["flags"] = tuple(offence["flags"])
        offence["hate_strands"] = tuple(offence.get("hate_strands", ()))
        risk = payload.get("risk")
        return cls(
            source=Source(**payload["source"]),
            reported_at=payload["reported_at"],
            offence=Offence(**offence),
            victim=Victim(**victim),
            consent=Consent(**payload["consent"]),
            risk=Risk(**risk) if risk is not None else None,
        )


def as_row(record: Offence | Victim | Risk) -> dict[str, Any]:
    """A part of a referral as plain values (mappings for its parts, lists for its lists), for a row or a JSON
    column. By its fields' values, not `dataclasses.asdict`, whose deep copy cost a file import seconds."""
    row = dict(vars(record))
    for name, value in row.items():
        if isinstance(value, tuple):
            row[name] = list(value)
        elif isinstance(value, Contact):
            row[name] = dict(vars(value))
    return row
