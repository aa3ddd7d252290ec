"""The coordinator's search in the database: each reading of what was typed (val.casework.search_terms) is
one index lookup, and the answer is their union (docs/casework.md, "Search")."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import Session

from val.cases.models import POSTCODE_DISTRICT_SQL, Case, Victim
from val.casework.search_terms import search_terms

# More matches than this and the search becomes a condition the page query joins on, not a list of ids.
SEARCH_CAP = 2000
# The expressions the victims' postcode indexes hold, written as those indexes are.
postcode_key: ColumnElement[str] = literal_column("upper(replace(postcode, ' ', ''))")
postcode_district: ColumnElement[str] = literal_column(POSTCODE_DISTRICT_SQL)


def search(session: Session, q: str) -> list[uuid.UUID] | ColumnElement[bool]:
    """The cases `q` finds. Usually a few, returned as their ids so the page is ordered among those alone. A term
    that finds many (a postcode district, a two-letter prefix) becomes a condition each case is checked against
    as the page query walks its ordered index, so the page costs the same whether 2,000 or 200,000 match."""
    on_case, on_victim = _conditions(q)
    lookups = [select(Case.id).where(c) for c in on_case] + [
        select(Victim.case_id).where(v) for v in on_victim
    ]
    # UNION ALL stops at the cap; UNION would first gather and de-duplicate every match.
    found = list(session.scalars(union_all(*lookups).limit(SEARCH_CAP + 1)))
    if len(found) > SEARCH_CAP:
        if on_victim:
            on_case.append(exists().where(Victim.case_id == Case.id, or_(*on_victim)))
        return or_(*on_case)
    return list(dict.fromkeys(found))


def _conditions(q: str) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    """What `q` may be, as conditions on a case and on its victim, each one an index lookup."""
    terms = search_terms(q)
    on_case: list[ColumnElement[bool]] = [func.lower(Case.source_reference) == terms.text.lower()]
    on_victim: list[ColumnElement[bool]] = []
    if terms.number is not None:
        on_case.append(Case.number == terms.number)
    if terms.phones:
        on_victim.append(Victim.phone_e164.in_(terms.phones))
    if terms.postcode:
        on_victim.append(postcode_key == terms.postcode)
    if terms.district:
        on_victim.append(postcode_district == terms.district)
    if terms.born_on:
        on_victim.append(Victim.date_of_birth == terms.born_on)
    for family, given in terms.names:
        # A full name: the family name through its index, then the given name among those.
        on_victim.append(and_(Victim.family_name_key == family, func.lower(Victim.given_name) == given))
    if terms.given:
        on_victim.append(func.lower(Victim.given_name) == terms.given)
    if terms.family_prefix:
        # A range on the binary-collated key: an index scan, accents and case already folded away.
        key = terms.family_prefix
        on_victim.append(and_(Victim.family_name_key >= key, Victim.family_name_key < key + "\U0010ffff"))
    return on_case, on_victim
