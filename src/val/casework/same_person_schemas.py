"""What a coordinator sends and reads when two cases are confirmed as one victim (docs/casework.md)."""

from __future__ import annotations

from marshmallow import fields, validate

from val.http.output import OutputSchema
from val.http.schemas import StrictSchema


class SamePersonInSchema(StrictSchema):
    case_id = fields.UUID(required=True, metadata={"description": "Another case about the same victim"})
    reason = fields.String(
        load_default=None,
        validate=validate.Length(min=10, max=500),
        metadata={
            "description": "Why they are the same person: required when their recorded date of birth or "
            "family name differ"
        },
    )


class SamePersonUndoSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=10, max=500))


class SamePersonLinkSchema(OutputSchema):
    case_id = fields.UUID()
    other_case_id = fields.UUID()
    confirmed_by = fields.String(
        metadata={"description": "Who confirmed it: a key's or a signed-in person's name"}
    )
    confirmed_at = fields.DateTime()
    reason = fields.String(allow_none=True)


class SamePersonCaseSchema(OutputSchema):
    id = fields.UUID()
    reference = fields.String()
    received_at = fields.DateTime()


class SamePersonSchema(OutputSchema):
    """The cases a coordinator has confirmed are about this case's victim, this one included, oldest first."""

    items = fields.List(fields.Nested(SamePersonCaseSchema))
    links = fields.List(
        fields.Nested(SamePersonLinkSchema), metadata={"description": "Who linked them, when, why"}
    )
