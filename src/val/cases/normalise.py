"""Search keys for finding a victim's case when they ring the line (docs/casework.md). Pure."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PHONE_NOISE = re.compile(r"[\s().-]")


def family_name_key(name: str | None) -> str | None:
    """Case, accents and spacing ignored: "  O'Brién " and "o'brien" are the same key."""
    if not name:
        return None
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = _SPACES.sub(" ", plain).strip().casefold()
    return key or None


def phone_e164(phone: str | None, country_code: str = "44") -> str | None:
    """A UK number as E.164: 07700 900123, +44 7700 900123 and 0044 7700 900123 are all +447700900123.
    None when it cannot be a telephone number."""
    if not phone:
        return None
    digits = _PHONE_NOISE.sub("", phone)
    if digits.startswith("+"):
        rest = digits[1:]
    elif digits.startswith("00"):
        rest = digits[2:]
    elif digits.startswith("0"):
        rest = country_code + digits[1:]
    else:
        rest = digits
    if rest.startswith(country_code + "0"):  # "+44 (0)7700 …": the trunk 0 does not belong in E.164
        rest = country_code + rest[len(country_code) + 1 :]
    if not rest.isdigit() or not 7 <= len(rest) <= 15:
        return None
    return "+" + rest


# A UK postcode with or without its space, any case (the Royal Mail format).
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def postcode_key(text: str | None) -> str | None:
    """A postcode as the search index holds it (upper case, no spaces); None when `text` is not one."""
    if not text:
        return None
    key = "".join(text.split()).upper()
    return key if _POSTCODE.match(key) else None
