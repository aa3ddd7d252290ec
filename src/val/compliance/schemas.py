"""Compliance schemas: events in, fulfilments in, points out, Board queries."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import marshmallow as ma
from marshmallow import fields, validate

from val.calendar import london_date
from val.compliance.catalogue import AGE_BANDS
from val.compliance.rules import PointStatus, effective_status
from val.db.base import utcnow
from val.http.output import OutputSchema, computed_enum
from val.http.pagination import PageQuerySchema
from val.http.schemas import (
    BoardPeriodSchema,
    ConfiguredChoices,
    Day,
    Instant,
    RepeatableList,
    StrictSchema,
    TrueOrFalse,
    WholeNumber,
    not_in_future,
)

GROUP_BY = ("right", "code", "agency", "crime_type", "enhanced", "policing_area", "age_band")


def _status_now(point: Any) -> str:
    """Points are dumped from rows and from the dicts a service returns alike."""
    status, due_on = (
        (point["status"], point["due_on"]) if isinstance(point, dict) else (point.status, point.due_on)
    )
    if isinstance(due_on, str):
        due_on = dt.date.fromisoformat(due_on)
    return effective_status(status, due_on, london_date(utcnow()))


class PointSchema(OutputSchema):
    id = fields.UUID()
    case_id = fields.UUID()
    code = fields.String()
    right = fields.Integer(allow_none=True)
    agency = fields.String()
    trigger_event = fields.String()
    triggered_at = fields.DateTime()
    due_on = Day()
    status = computed_enum(
        "_status",
        PointStatus,
        metadata={"description": "As of now: a pending point past its due date is missed"},
    )
    reason = fields.String(allow_none=True)
    fulfilled_at = fields.DateTime(allow_none=True)

    def _status(self, point: Any) -> str:
        return _status_now(point)


# Set from the rulebook when the app starts: the trigger events a coordinator may record, and the agencies that
# owe the points.
EVENT_TYPES = ConfiguredChoices()
AGENCIES = ConfiguredChoices()


class EventDetailsSchema(StrictSchema):
    """The details decide which rights apply, so each must be what it says: a string "false" is not false."""

    custody_months = WholeNumber(
        validate=validate.Range(min=0, max=1200, error="Whole months of custody, from 0 to 1200."),
        metadata={"description": "Months of custody, for `sentenced`"},
    )
    violent_or_sexual = TrueOrFalse(
        metadata={"description": "The court's classification of the offence, for `sentenced`"},
    )
    note_ref = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "A reference to a case note"}
    )


class EventInSchema(StrictSchema):
    type = fields.String(
        required=True, validate=EVENT_TYPES, metadata={"description": "A trigger event of the catalogue"}
    )
    occurred_at = Instant(required=True, validate=not_in_future)
    details = fields.Nested(EventDetailsSchema, load_default=dict)


class EventOutSchema(OutputSchema):
    id = fields.UUID()
    case_id = fields.UUID()
    type = fields.String()
    occurred_at = fields.DateTime()
    details = fields.Dict(
        keys=fields.String(),
        metadata={"description": "What the event's type records (see the request's `details`)"},
    )
    compliance_points = fields.List(fields.Nested(PointSchema))


class FulfilInSchema(StrictSchema):
    at = Instant(required=True, validate=not_in_future)


class PointsQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in PointStatus]))
    due_before = Day(load_default=None)
    agency = fields.String(load_default=None, validate=AGENCIES)
    right = fields.Integer(load_default=None, validate=validate.Range(min=1, max=12))


# Each extra grouping splits every count further: at most two in one table keeps cells large enough to
# publish and the rows few enough to read (docs/compliance.md).
MOST_GROUPINGS = 2


class SummaryQuerySchema(BoardPeriodSchema):
    group_by = RepeatableList(
        fields.String(validate=validate.OneOf(GROUP_BY)),
        load_default=lambda: ["right"],
        validate=validate.Length(min=1, max=MOST_GROUPINGS, error=f"Name one or {MOST_GROUPINGS} groupings."),
    )
    csv_path: ClassVar[str | None] = "/api/v1/board/compliance-summary.csv"

    @ma.validates_schema(skip_on_field_errors=True)
    def _groupings(self, data: dict[str, Any], **_: Any) -> None:
        if len(set(data["group_by"])) != len(data["group_by"]):
            raise ma.ValidationError("Each grouping may appear once.", field_name="group_by")


class PeriodSchema(OutputSchema):
    """A Board figure's period, first and last day (ISO dates)."""

    from_ = fields.String(attribute="from", data_key="from", metadata={"format": "date"})
    to = fields.String(metadata={"format": "date"})


class SummaryCsvQuerySchema(SummaryQuerySchema):
    csv_path = None  # this is the CSV path: a `format` here is just an unknown parameter


class SummaryRowSchema(OutputSchema):
    optional = ("group",)

    group = fields.Dict(
        keys=fields.String(validate=validate.OneOf(GROUP_BY)),
        metadata={"description": "The row's value of each grouping of `group_by`; left out of the total"},
    )
    due = fields.Integer(allow_none=True)
    met = fields.Integer(allow_none=True)
    met_late = fields.Integer(allow_none=True)
    missed = fields.Integer(allow_none=True)
    pending = fields.Integer(allow_none=True)
    not_applicable = fields.Integer(allow_none=True)
    on_time_rate = fields.Float(allow_none=True)
    suppressed = fields.Boolean()
    suppressed_cells = fields.List(fields.String())


class SummarySchema(OutputSchema):
    period = fields.Nested(PeriodSchema)
    group_by = fields.List(fields.String(validate=validate.OneOf(GROUP_BY)))
    suppression_threshold = fields.Integer()
    rounding_base = fields.Integer(metadata={"description": "Every published count is a multiple of it"})
    rows = fields.List(fields.Nested(SummaryRowSchema))
    total = fields.Nested(SummaryRowSchema)


__all__ = ["AGE_BANDS", "GROUP_BY"]
