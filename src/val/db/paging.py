"""Keyset pagination: a page is the rows after the last one the client saw, in a fixed total order. Every list
in the API pages this way (docs/casework.md), so a page never skips or repeats a row when others are added."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, literal, tuple_

from val.errors import BadCursor

T = TypeVar("T")
Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_after: list[Any] | None  # the sort key of the last item, when more may follow


def keyset(
    query: Q,
    keys: Sequence[Any],
    *,
    descending: bool,
    after: list[Any] | None,
) -> Q:
    """Order `query` by `keys` (all ascending or all descending; the last must be unique) and start after
    the row whose keys were `after`."""
    if after is not None:
        if len(after) != len(keys) or not all(
            _fits(key, value) for key, value in zip(keys, after, strict=True)
        ):
            raise BadCursor()
        position = tuple_(*keys)
        # Each value bound with its column's type, so it is stored-form on every database.
        seen = tuple_(*(literal(value, key.type) for key, value in zip(keys, after, strict=True)))
        query = query.where(position < seen if descending else position > seen)
    return query.order_by(*(k.desc() if descending else k.asc() for k in keys))


def _fits(key: Any, value: Any) -> bool:
    """Whether a cursor's value is of its key column's type (every key type VAL pages by declares one) and
    one the databases can bind: a cursor is client input, so anything it holds is checked like any field."""
    expected = key.type.python_type
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        return False
    if expected is dt.date:
        return not isinstance(value, dt.datetime)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return False
        try:
            value.astimezone(dt.UTC)
        except OverflowError:
            return False
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    if isinstance(value, str):
        return "\x00" not in value
    return True


def page_of(rows: list[T], limit: int, key_of: Any) -> Page[T]:
    """`rows` were fetched with limit + 1: the extra one only says that another page exists."""
    if len(rows) > limit:
        shown = rows[:limit]
        return Page(shown, key_of(shown[-1]))
    return Page(rows, None)
