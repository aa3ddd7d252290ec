"""The base of every input schema: unknown fields are rejected, never ignored."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma

# Clocks of police systems drift; a timestamp this far ahead of ours is still "now".
CLOCK_SKEW = dt.timedelta(minutes=5)


class StrictSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE


def not_in_future(value: dt.datetime | dt.date) -> None:
    now = dt.datetime.now(dt.UTC)
    if isinstance(value, dt.datetime):
        if value > now + CLOCK_SKEW:
            raise ma.ValidationError("Must not be in the future.")
    elif value > now.date() + dt.timedelta(days=1):  # a date may be "today" anywhere in the world
        raise ma.ValidationError("Must not be in the future.")
