"""The one safety rule for messages to victims, as a table: each row a case's facts, the channel asked for, who
asks, and the answer (the refusing rule, or the channel and when it goes). No I/O."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from val.calendar import LONDON
from val.messages.safe_windows import Hours, Unclear, Window, next_safe_moment, read_safe_times
from val.messages.safety import Channel, Facts, Rule, Sender, decide

HOURS = Hours()  # 08:00–21:00
# A Wednesday in winter (London is on GMT), at 10:00.
WEDNESDAY_10 = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
SAFE = Facts(
    consent="given",
    date_of_birth=dt.date(1990, 6, 1),
    last_attempt="reached",
    phone="+447700900123",
    email="alex@example.org",
    address_lines=("1 High Street", "Worcester"),
    phone_known_to_suspect=False,
    safe_times=None,
    preferred_channel="sms",
)


def facts(**changes):
    return dataclasses.replace(SAFE, **changes)


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=dt.UTC)


C, V = Sender.COORDINATOR, Sender.VAL
ROWS = [
    # (why, facts, channel asked, sender, now, refusing rule, channel, goes at)
    ("all is well", SAFE, Channel.SMS, C, WEDNESDAY_10, None, Channel.SMS, WEDNESDAY_10),
    ("consent declined", facts(consent="declined"), Channel.SMS, C, WEDNESDAY_10, Rule.CONSENT, None, None),
    (
        "consent withdrawn",
        facts(consent="opted_out"),
        Channel.EMAIL,
        V,
        WEDNESDAY_10,
        Rule.CONSENT,
        None,
        None,
    ),
    (
        "consent not yet asked",
        facts(consent="not_asked"),
        Channel.SMS,
        C,
        WEDNESDAY_10,
        None,
        Channel.SMS,
        WEDNESDAY_10,
    ),
    (
        "a child",
        facts(date_of_birth=dt.date(2010, 1, 1)),
        Channel.SMS,
        C,
        WEDNESDAY_10,
        Rule.CHILD,
        None,
        None,
    ),
    (
        "18 today",
        facts(date_of_birth=dt.date(2008, 12, 2)),
        Channel.SMS,
        C,
        WEDNESDAY_10,
        None,
        Channel.SMS,
        WEDNESDAY_10,
    ),
    (
        "18 tomorrow",
        facts(date_of_birth=dt.date(2008, 12, 3)),
        Channel.SMS,
        C,
        WEDNESDAY_10,
        Rule.CHILD,
        None,
        None,
    ),
    ("anonymised", facts(date_of_birth=None), Channel.SMS, C, WEDNESDAY_10, Rule.ANONYMISED, None, None),
    (
        "unsafe last call",
        facts(last_attempt="unsafe_to_talk"),
        Channel.EMAIL,
        C,
        WEDNESDAY_10,
        Rule.UNSAFE_TO_TALK,
        None,
        None,
    ),
    (
        "an earlier unsafe call, reached since",
        facts(last_attempt="reached"),
        Channel.SMS,
        C,
        WEDNESDAY_10,
        None,
        Channel.SMS,
        WEDNESDAY_10,
    ),
    (
        "suspect knows the phone: no text",
        facts(phone_known_to_suspect=True),
        Channel.SMS,
        C,
        WEDNESDAY_10,
        Rule.PHONE_KNOWN_TO_SUSPECT,
        None,
        None,
    ),
    (
        "suspect knows the phone: email is fine",
        facts(phone_known_to_suspect=True),
        Channel.EMAIL,
        C,
        WEDNESDAY_10,
        None,
        Channel.EMAIL,
        WEDNESDAY_10,
    ),
    ("no phone", facts(phone=None), Channel.SMS, C, WEDNESDAY_10, Rule.NO_PHONE, None, None),
    ("no email", facts(email=None), Channel.EMAIL, C, WEDNESDAY_10, Rule.NO_EMAIL, None, None),
    (
        "no address",
        facts(address_lines=("1 High Street",)),
        Channel.LETTER,
        C,
        WEDNESDAY_10,
        Rule.NO_ADDRESS,
        None,
        None,
    ),
    ("a letter ignores the hour", SAFE, Channel.LETTER, C, at(23), None, Channel.LETTER, at(23)),
    (
        "VAL's own: the chosen channel",
        facts(preferred_channel="email"),
        None,
        V,
        WEDNESDAY_10,
        None,
        Channel.EMAIL,
        WEDNESDAY_10,
    ),
    (
        "VAL's own: no channel chosen",
        facts(preferred_channel=None),
        None,
        V,
        WEDNESDAY_10,
        Rule.NO_CHANNEL,
        None,
        None,
    ),
    (
        "VAL's own: chosen channel unsafe",
        facts(phone_known_to_suspect=True),
        None,
        V,
        WEDNESDAY_10,
        Rule.PHONE_KNOWN_TO_SUSPECT,
        None,
        None,
    ),
    (
        "before the safe time: waits",
        facts(safe_times="after 18:00"),
        Channel.SMS,
        C,
        WEDNESDAY_10,
        None,
        Channel.SMS,
        at(18),
    ),
    (
        "inside the safe time",
        facts(safe_times="after 18:00"),
        Channel.SMS,
        C,
        at(19),
        None,
        Channel.SMS,
        at(19),
    ),
    ("after the day's hours: next morning", SAFE, Channel.SMS, C, at(22), None, Channel.SMS, at(8, day=3)),
    (
        "weekdays only, on Saturday",
        facts(safe_times="weekdays 9am-5pm"),
        Channel.SMS,
        C,
        at(10, day=5),
        None,
        Channel.SMS,
        at(9, day=7),
    ),
    (
        "unreadable safe times: VAL waits for a person",
        facts(safe_times="only when he is at work"),
        None,
        V,
        WEDNESDAY_10,
        Rule.SAFE_TIMES_UNCLEAR,
        None,
        None,
    ),
    (
        "unreadable safe times: a coordinator has read them",
        facts(safe_times="only when he is at work"),
        Channel.SMS,
        C,
        WEDNESDAY_10,
        None,
        Channel.SMS,
        WEDNESDAY_10,
    ),
    (
        "safe only at night: never within the hours",
        facts(safe_times="after 22:00"),
        Channel.SMS,
        C,
        WEDNESDAY_10,
        Rule.NO_SAFE_TIME,
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("why", "case", "channel", "sender", "now", "rule", "goes_by", "goes_at"), ROWS, ids=[r[0] for r in ROWS]
)
def test_the_safety_rule(why, case, channel, sender, now, rule, goes_by, goes_at):
    verdict = decide(case, channel, sender, now, HOURS, LONDON)
    assert verdict.rule == rule, verdict.detail
    assert (verdict.channel, verdict.send_at) == (goes_by, goes_at)
    if rule is not None:
        assert verdict.detail, "a refusal says why in words a coordinator reads"


SUMMER = dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC)  # 17:00 in London (BST)


def test_safe_times_are_london_times_in_summer_too():
    verdict = decide(facts(safe_times="after 6pm"), Channel.SMS, C, SUMMER, HOURS, LONDON)
    assert verdict.send_at == dt.datetime(2026, 7, 1, 17, 0, tzinfo=dt.UTC)  # 18:00 BST


EVERY_DAY = frozenset(range(7))
WINDOWS = [
    ("after 18:00", [Window(EVERY_DAY, dt.time(18), dt.time(21))]),
    ("After 6pm", [Window(EVERY_DAY, dt.time(18), dt.time(21))]),
    ("before 9am", [Window(EVERY_DAY, dt.time(8), dt.time(9))]),
    ("between 10 and 2", [Window(EVERY_DAY, dt.time(10), dt.time(14))]),
    ("9:30-11:45", [Window(EVERY_DAY, dt.time(9, 30), dt.time(11, 45))]),
    ("weekdays 9-5", [Window(frozenset(range(5)), dt.time(9), dt.time(17))]),
    ("weekends any time", [Window(frozenset({5, 6}), dt.time(8), dt.time(21))]),
    (
        "10am to 12pm, or after 7.30pm",
        [Window(EVERY_DAY, dt.time(10), dt.time(12)), Window(EVERY_DAY, dt.time(19, 30), dt.time(21))],
    ),
    ("only after 8pm", [Window(EVERY_DAY, dt.time(20), dt.time(21))]),
    ("", [Window(EVERY_DAY, dt.time(8), dt.time(21))]),
    ("Only by email", Unclear("Only by email")),
    ("mornings", Unclear("mornings")),
    ("between 5 and 3", Unclear("between 5 and 3")),
    ("after 25:00", Unclear("after 25:00")),
    ("after 22:00", []),
]


@pytest.mark.parametrize(("words", "windows"), WINDOWS, ids=[w or "(none)" for w, _ in WINDOWS])
def test_safe_times_are_read_only_when_they_are_certain(words, windows):
    assert read_safe_times(words, HOURS) == windows


def test_no_window_ever_opening_gives_no_moment():
    assert next_safe_moment([], WEDNESDAY_10.astimezone(LONDON)) is None
