"""The coordinator's search in the database: each reading of what was typed (val.casework.search_terms) is
one index lookup, and the answer is their union (docs/casework.md, "Search")."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, select, union
from sqlalchemy.orm import Session

from val.cases.models import POSTCODE_DISTRICT_SQL, Case, Victim
from val.casework.search_terms import search_terms

# More matches than this and the search becomes a condition the page query joins on, not a list of ids.
SEARCH_CAP = 2000
# The expressions the victims' postcode indexes hold, written as those indexes are.
postcode_key: ColumnElement[str] = literal_column("upper(replace(postcode, ' ', ''))")
postcode_district: ColumnElement[str] = literal_column(POSTCODE_DISTRICT_SQL)


def search(session: Session, q: str) -> list[uuid.UUID] | ColumnElement[bool]:
    """The cases `q` finds. Usually a few, returned as their ids so the page is ordered among those alone; a
    very short prefix that finds many becomes a condition the database joins on."""
    lookups = _lookups(q)
    found = list(session.scalars(union(*lookups).limit(SEARCH_CAP + 1)))
    if len(found) > SEARCH_CAP:
        return Case.id.in_(union(*lookups).scalar_subquery())
    return found


def _lookups(q: str) -> list[Any]:
    terms = search_terms(q)
    lookups: list[Any] = [select(Case.id).where(func.lower(Case.source_reference) == terms.text.lower())]
    victim = select(Victim.case_id)
    if terms.number is not None:
        lookups.append(select(Case.id).where(Case.number == terms.number))
    if terms.phones:
        lookups.append(victim.where(Victim.phone_e164.in_(terms.phones)))
    if terms.postcode:
        lookups.append(victim.where(postcode_key == terms.postcode))
    if terms.district:
        lookups.append(victim.where(postcode_district == terms.district))
    if terms.born_on:
        lookups.append(victim.where(Victim.date_of_birth == terms.born_on))
    for family, given in terms.names:
        # A full name: the family name through its index, then the given name among those.
        lookups.append(victim.where(Victim.family_name_key == family, func.lower(Victim.given_name) == given))
    if terms.given:
        lookups.append(victim.where(func.lower(Victim.given_name) == terms.given))
    if terms.family_prefix:
        # A range on the binary-collated key: an index scan, accents and case already folded away.
        key = terms.family_prefix
        lookups.append(
            victim.where(Victim.family_name_key >= key, Victim.family_name_key < key + "\U0010ffff")
        )
    return lookups
