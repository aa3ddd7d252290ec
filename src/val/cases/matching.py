"""Recognising a repeat victim (docs/data-lifecycle.md): a keyed hash of normalised family name + date of birth + postcode
district. Pure: the key is given, never read here. The hash cannot be reversed without the key, and the key is
never stored with the data."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata

from val.cases.normalise import family_name_key

_OUTWARD = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
# The version of the normalisation, inside the hashed material: changing the rules makes new keys that never
# collide with old ones.
VERSION = "v1"


def matching_family_name(name: str | None) -> str | None:
    key = family_name_key(name)
    if key is None:
        return None
    # Letters only; those that are not a-z once accents are gone (ß, Ø, Cyrillic…) are kept, not dropped.
    letters = "".join(c for c in unicodedata.normalize("NFKC", key) if c.isalpha())
    return letters or None


def postcode_district(postcode: str | None) -> str | None:
    """The outward code: "WR1 2AB", "wr12ab" and "WR1  2AB" are all WR1. None when it is not a postcode."""
    if not postcode:
        return None
    compact = "".join(postcode.split()).upper()
    found = _OUTWARD.match(compact)
    return found.group(1) if found else None


def match_material(family_name: str | None, date_of_birth: dt.date, postcode: str | None) -> str | None:
    """What is hashed; None when there is too little to match on safely (no family name or no postcode)."""
    name, district = matching_family_name(family_name), postcode_district(postcode)
    if name is None or district is None:
        return None
    return "\x1f".join((VERSION, name, date_of_birth.isoformat(), district))


class MatchKeyer:
    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the matching key needs at least 32 bytes")
        self._key = key

    def key_for(self, family_name: str | None, date_of_birth: dt.date, postcode: str | None) -> str | None:
        material = match_material(family_name, date_of_birth, postcode)
        if material is None:
            return None
        return hmac.new(self._key, material.encode(), hashlib.sha256).hexdigest()
