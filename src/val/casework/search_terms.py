"""What a coordinator's search could mean (docs/casework.md, "Search"): pure, no I/O.

People type what they have in front of them: a reference, a phone number however it is written, a postcode or
just its district, a date of birth as the UK writes it, a given name alone, or a name either way round. Each
reading that fits is one index lookup (casework/store/search.py); the answers are their union."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from val.cases.normalise import family_name_key, phone_e164, postcode_key
from val.cases.references import number_in

# The outward code alone (the district): A9, A99, A9A, AA9, AA99, AA9A.
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")
_DIGITS = re.compile(r"[\d\s().+-]+")


@dataclass(frozen=True)
class SearchTerms:
    text: str
    number: int | None = None  # a VAL reference's case number
    phones: tuple[str, ...] = ()  # E.164
    postcode: str | None = None  # the full postcode, as the index holds it
    district: str | None = None  # the outward code
    born_on: dt.date | None = None
    names: tuple[tuple[str, str], ...] = ()  # (family name key, given name in lower case), both ways round
    given: str | None = None  # one word, as a given name
    family_prefix: str | None = None  # the start of a family name


def search_terms(q: str) -> SearchTerms:
    text = " ".join(q.split())
    words = text.split(" ")
    upper = text.replace(" ", "").upper()
    return SearchTerms(
        text=text,
        number=number_in(text),
        phones=_phones(text),
        postcode=postcode_key(text),
        district=upper if _DISTRICT.match(upper) else None,
        born_on=_date(text),
        names=_names(words),
        given=text.lower() if len(words) == 1 and text.isalpha() else None,
        family_prefix=family_name_key(text),
    )


def _phones(text: str) -> tuple[str, ...]:
    if not _DIGITS.fullmatch(text) or sum(c.isdigit() for c in text) < 9:
        return ()
    found = {phone_e164(text)}
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) == 10 and digits[0] in "123456789" and not text.lstrip().startswith("+"):
        found.add(phone_e164("0" + digits))  # typed without its leading 0: 7700 900123
    return tuple(sorted(p for p in found if p))


def _date(text: str) -> dt.date | None:
    for form in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _names(words: list[str]) -> tuple[tuple[str, str], ...]:
    if len(words) < 2 or not all(any(c.isalpha() for c in w) for w in words):
        return ()
    found = []
    last, first = family_name_key(words[-1]), family_name_key(words[0])
    if last:  # "Alexandra Quinterro"
        found.append((last, " ".join(words[:-1]).lower()))
    if first:  # "Quinterro Alexandra", or "Quinterro, Alexandra"
        found.append((first.rstrip(","), " ".join(words[1:]).lower()))
    return tuple(found)
