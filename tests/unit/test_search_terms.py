"""What a coordinator's search could mean (table-driven, no I/O)."""

from __future__ import annotations

import datetime as dt

import pytest

from val.casework.search_terms import search_terms


@pytest.mark.parametrize(
    ("q", "reading", "expected"),
    [
        ("VAL-2026-000123", "number", 123),
        ("07700 900123", "phones", ("+447700900123",)),
        ("7700 900123", "phones", ("+447700900123", "+7700900123")),
        ("+44 (0)7700 900123", "phones", ("+447700900123",)),
        ("1992", "phones", ()),  # too short for a phone number
        ("WR1 2AB", "postcode", "WR12AB"),
        ("DY10", "district", "DY10"),
        ("w1a", "district", "W1A"),
        ("WR1 2AB", "district", None),
        ("01/03/1992", "born_on", dt.date(1992, 3, 1)),
        ("1-3-1992", "born_on", dt.date(1992, 3, 1)),
        ("1 Mar 1992", "born_on", dt.date(1992, 3, 1)),
        ("31/02/1992", "born_on", None),
        ("Alexandra", "given", "alexandra"),
        ("Alexandra Quinterro", "given", None),
        ("Alexandra Quinterro", "names", (("quinterro", "alexandra"), ("alexandra", "quinterro"))),
        ("Quinterro, Alexandra", "names", (("alexandra", "quinterro,"), ("quinterro", "alexandra"))),
        ("Mary Ann  Smith", "names", (("smith", "mary ann"), ("mary", "ann smith"))),
        ("07700 900123", "names", ()),
        ("O'Brién", "family_prefix", "o'brien"),
    ],
)
def test_each_reading_of_what_was_typed(q, reading, expected):
    assert getattr(search_terms(q), reading) == expected
