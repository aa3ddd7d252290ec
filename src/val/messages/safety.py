"""The one rule that decides whether a message may go to a victim, by which channel and when (docs/victims.md
has it as a table). Pure: the caller gathers the facts.

Someone else may read the victim's phone, email or post: a perpetrator who sees a message from a victims'
service can put the victim in danger. So the rule refuses whenever a fact says a message could be unsafe, and
VAL's own messages (not a coordinator's) also wait for a clear answer about safe times."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from val.messages.safe_windows import Hours, Unclear, next_safe_moment, read_safe_times

CHILD_UNDER = 18


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"


class Sender(StrEnum):
    COORDINATOR = "coordinator"  # a person chose to send it, having read the case
    VAL = "val"  # VAL's own: the information pack after first contact, the feedback request at closure


class Rule(StrEnum):
    """Why a message may not go: named in the 409 problem and recorded on a message VAL did not send."""

    CONSENT = "consent_declined_or_withdrawn"
    CHILD = "victim_is_a_child"
    UNSAFE_TO_TALK = "last_attempt_unsafe_to_talk"
    ANONYMISED = "case_anonymised"
    NO_CHANNEL = "no_chosen_channel"
    PHONE_KNOWN_TO_SUSPECT = "phone_known_to_suspect"
    NO_PHONE = "no_mobile_number"
    NO_EMAIL = "no_email_address"
    NO_ADDRESS = "no_postal_address"
    SAFE_TIMES_UNCLEAR = "safe_times_unclear"
    NO_SAFE_TIME = "no_safe_time"


@dataclass(frozen=True)
class Facts:
    consent: str  # the case's consent to a support referral
    date_of_birth: dt.date | None  # None once anonymised
    last_attempt: str | None  # the outcome of the latest contact attempt
    phone: str | None
    email: str | None
    address_lines: tuple[str, ...]
    phone_known_to_suspect: bool | None
    safe_times: str | None
    preferred_channel: str | None


@dataclass(frozen=True)
class Verdict:
    rule: Rule | None  # the rule that refused; None: the message may go
    detail: str = ""
    channel: Channel | None = None
    send_at: dt.datetime | None = None  # the moment it may go: now, or the start of the next safe window

    @property
    def allowed(self) -> bool:
        return self.rule is None


def _refused(rule: Rule, detail: str) -> Verdict:
    return Verdict(rule, detail)


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _about_the_victim(facts: Facts, today: dt.date) -> Verdict | None:
    if facts.consent in ("declined", "opted_out"):
        return _refused(Rule.CONSENT, "The victim declined or withdrew consent: VAL sends them nothing.")
    if facts.date_of_birth is None:
        return _refused(Rule.ANONYMISED, "The case is anonymised: there is no one to write to.")
    if _age_on(facts.date_of_birth, today) < CHILD_UNDER:
        return _refused(
            Rule.CHILD,
            "The victim is a child: VAL does not message children. A coordinator contacts the parent or "
            "carer the police named, by phone, after checking it is safe.",
        )
    if facts.last_attempt == "unsafe_to_talk":
        return _refused(
            Rule.UNSAFE_TO_TALK,
            "The last contact attempt found the victim could not talk safely: nothing is sent until a "
            "coordinator has agreed a safe way to make contact and recorded it.",
        )
    return None


def _about_the_channel(facts: Facts, channel: Channel) -> Verdict | None:
    if channel is Channel.SMS:
        if facts.phone_known_to_suspect:
            return _refused(
                Rule.PHONE_KNOWN_TO_SUSPECT, "The suspect knows this phone: no text is sent to it."
            )
        if not facts.phone:
            return _refused(Rule.NO_PHONE, "The case has no mobile number.")
    if channel is Channel.EMAIL and not facts.email:
        return _refused(Rule.NO_EMAIL, "The case has no email address.")
    if channel is Channel.LETTER and len(facts.address_lines) < 2:
        return _refused(Rule.NO_ADDRESS, "The case has no postal address (two lines and the postcode).")
    return None


def decide(
    facts: Facts,
    channel: Channel | None,
    sender: Sender,
    now: dt.datetime,
    hours: Hours,
    zone: dt.tzinfo,
) -> Verdict:
    """May a message go, by `channel` (None: the victim's chosen channel), and when? The first rule that
    refuses is the answer; a message outside the victim's safe times waits for the next safe window."""
    local = now.astimezone(zone)
    refused = _about_the_victim(facts, local.date())
    if refused is not None:
        return refused
    if channel is None:
        if facts.preferred_channel not in set(Channel):
            return _refused(
                Rule.NO_CHANNEL, "The victim has not said how they would like VAL to write to them."
            )
        channel = Channel(facts.preferred_channel)
    refused = _about_the_channel(facts, channel)
    if refused is not None:
        return refused
    if channel is Channel.LETTER:
        return Verdict(None, channel=channel, send_at=now)  # a letter is read when the victim opens it
    windows = read_safe_times(facts.safe_times, hours)
    if isinstance(windows, Unclear):
        if sender is Sender.VAL:
            return _refused(
                Rule.SAFE_TIMES_UNCLEAR,
                "VAL cannot read the victim's safe times, so it sends nothing on its own; a coordinator who "
                "has read them may send by hand.",
            )
        return Verdict(None, channel=channel, send_at=now)
    moment = next_safe_moment(windows, local)
    if moment is None:
        return _refused(Rule.NO_SAFE_TIME, "No safe time to send falls within VAL's message hours.")
    return Verdict(None, channel=channel, send_at=moment.astimezone(dt.UTC))
