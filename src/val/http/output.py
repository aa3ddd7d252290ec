"""The base of every output schema, and the fields that say exactly what an answer holds: a client generated
from the OpenAPI document (openapi-python-client, for one) reads every field as required, every closed list as
an enum and every object by its own schema, so it can rely on what it parses."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, ClassVar

import marshmallow as ma
from marshmallow import fields, validate


class OutputSchema(ma.Schema):
    """Every field is in every answer (null where it has no value), so the OpenAPI document lists each as
    required. A field an answer may leave out names itself in `optional`."""

    optional: ClassVar[tuple[str, ...]] = ()

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        # `required` is read only by the OpenAPI document: output schemas dump, they never load.
        field_obj.required = field_name not in self.optional


class SelectiveOutputSchema(OutputSchema):
    """An object whose fields depend on who reads it and when (a provider's view of a referral): each field is
    there only if that reader may see it, so none is required."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        field_obj.required = False


def enum_string(values: type[StrEnum] | Iterable[str], **kwargs: Any) -> fields.String:
    """A string from a closed list, documented as an enum (null added when `allow_none`)."""
    choices = [str(v) for v in values]
    return fields.String(validate=validate.OneOf(choices), **kwargs)


class _FromMethod:
    """A field whose value a method of its schema computes from the whole record, typed as its base field is:
    unlike `fields.Method`, the OpenAPI document says what the value is."""

    parent: Any  # the schema, once the field is bound (marshmallow sets it)

    def __init__(self, method: str, **kwargs: Any) -> None:
        self.method = method
        super().__init__(**kwargs)

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = ma.missing) -> Any:
        return getattr(self.parent, self.method)(obj)


class ComputedString(_FromMethod, fields.String):
    pass


class ComputedDateTime(_FromMethod, fields.DateTime):
    pass


class ComputedUUID(_FromMethod, fields.UUID):
    pass


class ComputedNested(_FromMethod, fields.Nested):
    """An object built by a method and dumped through its own schema."""

    def __init__(self, nested: Any, method: str, **kwargs: Any) -> None:
        super().__init__(method, nested=nested, **kwargs)


def computed_enum(method: str, values: type[StrEnum] | Iterable[str], **kwargs: Any) -> ComputedString:
    return ComputedString(method, validate=validate.OneOf([str(v) for v in values]), **kwargs)
