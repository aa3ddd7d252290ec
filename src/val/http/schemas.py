"""The base of every input schema: unknown fields are rejected, never ignored."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import marshmallow as ma
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from val.calendar import reporting_period_problem

# Clocks of police systems drift; a timestamp this far ahead of ours is still "now".
CLOCK_SKEW = dt.timedelta(minutes=5)


# Dates VAL accepts: nothing of a victim's case is older or further ahead, and outside these the calendar
# arithmetic (time zones, working days) runs off the end of what Python's dates can hold.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
RANGE = f"Must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}."


# NUL (which PostgreSQL cannot store in text) or a lone surrogate (which is not text at all).
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def _unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def _printable(name: str) -> str:
    """A field name as the error may quote it back: what cannot be stored or encoded becomes U+FFFD."""
    return "".join("\ufffd" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in name)


def _has_unsafe_text(value: Any) -> bool:
    if isinstance(value, str):
        return _unsafe(value)
    if isinstance(value, Mapping):
        return any(_has_unsafe_text(k) or _has_unsafe_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unsafe_text(v) for v in value)
    return False


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_unsafe_text(self, data: Any, **_: Any) -> Any:
        if isinstance(data, Mapping):  # a JSON object, or webargs' view of a query string
            by_key = {f.data_key or name: f for name, f in self.load_fields.items()}
            bad = {
                _printable(str(k)): ["Contains a NUL character or an unpaired surrogate."]
                for k, v in data.items()
                # A nested schema checks its own fields, so the error names the field itself.
                if not isinstance(by_key.get(k), fields.Nested)
                and (_has_unsafe_text(k) or _has_unsafe_text(v))
            }
            if bad:
                raise ma.ValidationError(bad)
        return data


# The bound, as the OpenAPI document states it. JSON Schema has no minimum for a date, and a pattern on the
# year would make a generator throw away nearly every date it draws; a date outside it is a 422 naming it.
_YEAR_1900_TO_2100 = {"description": RANGE}


class Instant(fields.AwareDateTime):
    """A timestamp with its zone, from 1900 to 2100, given back in UTC."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {**_YEAR_1900_TO_2100, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        instant = super()._deserialize(value, attr, data, **kwargs)
        try:
            utc = instant.astimezone(dt.UTC)
        except OverflowError:
            raise ma.ValidationError(RANGE) from None
        if not EARLIEST <= utc.date() <= LATEST:
            raise ma.ValidationError(RANGE)
        return utc


class Day(fields.Date):
    """A calendar date from 1900 to 2100."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {**_YEAR_1900_TO_2100, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST <= day <= LATEST:
            raise ma.ValidationError(RANGE)
        return day


class WholeNumber(fields.Integer):
    """A JSON integer: not 1.5, not "3", not true (which Python would count as 1)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class TrueOrFalse(fields.Boolean):
    """JSON true or false, nothing else: not "false", not 0."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def not_in_future(value: dt.datetime | dt.date) -> None:
    now = dt.datetime.now(dt.UTC)
    if isinstance(value, dt.datetime):
        if value > now + CLOCK_SKEW:
            raise ma.ValidationError("Must not be in the future.")
    elif value > now.date() + dt.timedelta(days=1):  # a date may be "today" anywhere in the world
        raise ma.ValidationError("Must not be in the future.")


class ConfiguredChoices(validate.Validator):
    """A closed list that comes from configuration (policing areas, the catalogue's event types), set when the
    app starts. It validates like `OneOf` and is documented as an enum (apispec reads `choices`)."""

    def __init__(self) -> None:
        self.choices: tuple[str, ...] = ()

    def configure(self, choices: tuple[str, ...] | list[str]) -> None:
        self.choices = tuple(choices)

    def __call__(self, value: str) -> str:
        if value not in self.choices:
            raise ma.ValidationError(f"Must be one of: {', '.join(self.choices)}.")
        return value


class BoardPeriodSchema(StrictSchema):
    """`from` and `to` of a Board figure: a whole month, quarter, calendar or financial year (reporting_period_
    problem says why only those)."""

    from_ = Day(
        required=True,
        data_key="from",
        metadata={"description": "The 1st of a month; the period is a month, a quarter or a year"},
    )
    to = Day(required=True, metadata={"description": "The last day of the period's last month"})

    # The path of the figure's CSV form, which `format=csv` once asked for on this path: said in the error.
    csv_path: ClassVar[str | None] = None

    @ma.pre_load
    def _csv_is_its_own_path(self, data: Any, **_: Any) -> Any:
        if self.csv_path is not None and isinstance(data, Mapping) and "format" in data:
            raise ma.ValidationError(
                {"format": [f"This path answers JSON only; the CSV form is GET {self.csv_path}."]}
            )
        return data

    @ma.validates_schema(skip_on_field_errors=True)
    def _board_period(self, data: dict[str, Any], **_: Any) -> None:
        problem = reporting_period_problem(data["from_"], data["to"])
        if problem is not None:
            raise ma.ValidationError(problem, field_name="to" if data["from_"].day == 1 else "from")


class RepeatableList(DelimitedList):
    """A list in the query string written either way: `?group_by=right,crime_type` or
    `?group_by=right&group_by=crime_type` (a repeat was silently cut to its first value before)."""

    is_multiple = True

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if isinstance(value, list):
            value = self.delimiter.join(str(one) for one in value)
        return super()._deserialize(value, attr, data, **kwargs)  # type: ignore[no-untyped-call]
