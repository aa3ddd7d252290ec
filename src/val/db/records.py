"""Plain values out of the database: a store selects exactly the columns of a frozen dataclass and builds one
per row, so what leaves a store is a value, never a mapped object with a session behind it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import InstrumentedAttribute

R = TypeVar("R")


def columns_for(model: type[Any], record: type[Any]) -> tuple[InstrumentedAttribute[Any], ...]:
    """The model's columns named by the record's fields, in the record's order."""
    return tuple(getattr(model, f.name) for f in dataclasses.fields(record))


def record_of(record: type[R], row: Iterable[Any]) -> R:
    """One record from a row selected with `columns_for` (positional, so the order is the contract)."""
    return record(*row)


def records_in(row: Sequence[Any], *records: type[Any]) -> list[Any]:
    """Several records from one row that selected each one's `columns_for`, one after another; what follows
    the last record's columns is left out."""
    found, start = [], 0
    for record in records:
        width = len(dataclasses.fields(record))
        found.append(record(*row[start : start + width]))
        start += width
    return found


def row_of(record: Any) -> dict[str, Any]:
    """A record's fields as a row to insert: shallow, by its values. `dataclasses.asdict` deep-copies every
    value (about 100 µs for an assignment, on every offer intake makes)."""
    return dict(vars(record))
