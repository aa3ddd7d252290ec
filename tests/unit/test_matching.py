"""The repeat-victim match (docs/data-lifecycle.md), without I/O: what normalisation treats as the same victim."""

from __future__ import annotations

import datetime as dt

import pytest

from val.cases.matching import MatchKeyer, matching_family_name, postcode_district

KEYER = MatchKeyer(b"k" * 32)
BORN = dt.date(1992, 3, 1)


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Quinterro", "quinterro"),
        ("QUINTERRO", "quinterro"),
        ("  quinterro ", "quinterro"),
        ("Quintérro", "quinterro"),
        ("O'Brien", "obrien"),
        ("O Brien", "obrien"),
        ("Smith-Jones", "smithjones"),
        ("Smith  Jones", "smithjones"),
        ("Müller", "muller"),
        ("Łukasz", "łukasz"),  # a letter with no accent to remove stays a letter, never dropped
        ("", None),
        ("  ", None),
        ("-'-", None),
        (None, None),
    ],
)
def test_a_family_name_is_normalised_for_matching(written, normalised):
    assert matching_family_name(written) == normalised


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("WR1 2AB", "WR1"),
        ("wr12ab", "WR1"),
        ("WR1  2AB", "WR1"),
        ("SW1A 1AA", "SW1A"),
        ("B1 1AA", "B1"),
        ("EC1A1BB", "EC1A"),
        ("WR1", None),
        ("not a postcode", None),
        (None, None),
    ],
)
def test_the_postcode_district_is_the_outward_code(postcode, district):
    assert postcode_district(postcode) == district


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (("Quinterro", BORN, "WR1 2AB"), ("quintérro ", BORN, "wr1 9zz"), True),  # moved within the district
        (("O'Brien", BORN, "WR1 2AB"), ("OBRIEN", BORN, "WR12AB"), True),
        (("Quinterro", BORN, "WR1 2AB"), ("Quinterro", BORN, "WR2 2AB"), False),  # another district
        (("Quinterro", BORN, "WR1 2AB"), ("Quinterro", dt.date(1992, 3, 2), "WR1 2AB"), False),
        (("Quinterro", BORN, "WR1 2AB"), ("Quintero", BORN, "WR1 2AB"), False),
    ],
)
def test_the_same_victim_has_the_same_key(first, second, same):
    assert (KEYER.key_for(*first) == KEYER.key_for(*second)) is same


def test_two_victims_who_share_a_name_but_not_a_date_of_birth_never_match():
    keys = {KEYER.key_for("Smith", BORN + dt.timedelta(days=n), "WR1 2AB") for n in range(3650)}
    assert len(keys) == 3650


def test_without_a_family_name_or_a_postcode_there_is_no_key():
    assert KEYER.key_for(None, BORN, "WR1 2AB") is None
    assert KEYER.key_for("Quinterro", BORN, None) is None


def test_the_key_depends_on_the_secret():
    other = MatchKeyer(b"o" * 32)
    assert KEYER.key_for("Quinterro", BORN, "WR1 2AB") != other.key_for("Quinterro", BORN, "WR1 2AB")
    with pytest.raises(ValueError):
        MatchKeyer(b"short")
