"""When a victim said it is safe to contact them, read from the words a coordinator or police officer typed
("after 18:00", "weekdays 9am-12pm", "between 10 and 2, or after 6pm"). Pure.

Only what can be read with certainty is read: anything else is `Unclear`, and VAL then sends nothing on its own
(a coordinator, who reads the words, may still send by hand). Every window lies within the hours VAL sends
messages at all (`message_hours`, 08:00–21:00 by default): nobody's phone buzzes at night."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS, WEEKENDS, EVERY_DAY = frozenset(range(5)), frozenset({5, 6}), frozenset(range(7))
DAY_WORDS = {"weekdays": WEEKDAYS, "weekday": WEEKDAYS, "weekends": WEEKENDS, "weekend": WEEKENDS}
ANY_TIME = {"any time", "anytime", "at any time", "any", "all day"}

_TIME = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?"
_PATTERNS = [
    ("between", re.compile(rf"^(?:between|from)\s+{_TIME}\s+(?:and|to|until|till)\s+{_TIME}$")),
    ("between", re.compile(rf"^{_TIME}\s*(?:-|–|to|until|till)\s*{_TIME}$")),
    ("after", re.compile(rf"^(?:after|from)\s+{_TIME}$")),
    ("before", re.compile(rf"^(?:before|until|till)\s+{_TIME}$")),
]


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # Monday is 0
    start: dt.time
    end: dt.time  # exclusive


@dataclass(frozen=True)
class Unclear:
    """Words VAL cannot read as times: it will not guess when a victim is safe."""

    words: str


@dataclass(frozen=True)
class Hours:
    """The hours VAL sends messages at all, London time."""

    start: dt.time = dt.time(8)
    end: dt.time = dt.time(21)

    @classmethod
    def parse(cls, text: str) -> Hours:
        start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
        if end == dt.time(23, 59):
            end = dt.time(23, 59, 59, 999999)  # "until midnight"
        if start >= end:
            raise ValueError(f"message hours {text!r}: the start must be before the end")
        return cls(start, end)


def _clock(hour: str, minute: str | None, meridiem: str | None, *, end: bool = False) -> dt.time | None:
    h, m = int(hour), int(minute or 0)
    if meridiem == "pm" and h < 12:
        h += 12
    elif meridiem == "am" and h == 12:
        h = 0
    elif meridiem is None and 1 <= h <= 7 and minute is None:
        h += 12  # "between 10 and 2": people mean the afternoon; nobody means 2 in the morning
    if end and h == 24 and m == 0:
        return dt.time(23, 59)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return dt.time(h, m)


def _one(part: str, hours: Hours) -> list[Window] | None:
    days = EVERY_DAY
    part = re.sub(r"^(?:only|ok|safe)\s+", "", part)
    words = part.split()
    if words and words[0] in DAY_WORDS:
        days, part = DAY_WORDS[words[0]], " ".join(words[1:])
    elif words and words[-1] in DAY_WORDS:
        days, part = DAY_WORDS[words[-1]], " ".join(words[:-1])
    if part in ANY_TIME or part == "":
        return [Window(days, hours.start, hours.end)]
    for kind, pattern in _PATTERNS:
        found = pattern.match(part)
        if found is None:
            continue
        groups = found.groups()
        if kind == "between":
            start, end = _clock(*groups[:3]), _clock(*groups[3:], end=True)
        elif kind == "after":
            start, end = _clock(*groups), hours.end
        else:
            start, end = hours.start, _clock(*groups, end=True)
        if start is None or end is None or (kind == "between" and start >= end):
            return None
        start, end = max(start, hours.start), min(end, hours.end)
        return [Window(days, start, end)] if start < end else []  # readable, but outside the message hours
    return None


def read_safe_times(words: str | None, hours: Hours) -> list[Window] | Unclear:
    """The windows the words describe; no words at all: VAL's message hours on every day."""
    text = (words or "").strip().lower()
    if not text:
        return [Window(EVERY_DAY, hours.start, hours.end)]
    windows: list[Window] = []
    for part in re.split(r"\s*(?:,|;|\bor\b|\band\b(?!\s+\d))\s*", text):
        if not part:
            continue
        read = _one(part.strip(), hours)
        if read is None:
            return Unclear(words or "")
        windows += read
    return windows  # empty: readable, but no safe time falls within the message hours


def next_safe_moment(windows: list[Window], now_local: dt.datetime) -> dt.datetime | None:
    """`now_local` when it is inside a window, else the start of the next one (within a week), in the same
    time zone; None when no window ever opens."""
    for days_ahead in range(8):
        day = (now_local + dt.timedelta(days=days_ahead)).date()
        starts = []
        for window in windows:
            if day.weekday() not in window.days:
                continue
            start = dt.datetime.combine(day, window.start, now_local.tzinfo)
            end = dt.datetime.combine(day, window.end, now_local.tzinfo)
            if days_ahead == 0 and start <= now_local < end:
                return now_local
            if start > now_local:
                starts.append(start)
        if starts:
            return min(starts)
    return None
