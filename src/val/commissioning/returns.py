"""The commissioner's return as the Board receives it: JSON, CSV, and the definitions that go with it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from val.commissioning.figures import OUTCOMES, commissioning_return, count_columns
from val.commissioning.store import period_offers
from val.compliance.catalogue import Catalogue
from val.compliance.suppression import ROUNDING_BASE
from val.providers.directory import SERVICES
from val.routing.states import DECLINE_CODES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MEDIANS = ("median_days_to_first_contact", "median_days_to_acceptance")
COLUMNS = (*count_columns(DECLINE_CODES), *MEDIANS)


def build_return(
    session: Session, catalogue: Catalogue, date_from: dt.date, date_to: dt.date
) -> dict[str, Any]:
    offers = period_offers(session, catalogue, date_from, date_to)
    rows = commissioning_return(
        offers, SERVICES, catalogue.crime_type_priority, DECLINE_CODES, catalogue.suppression_threshold
    )
    *groups, total = rows
    return {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "suppression_threshold": catalogue.suppression_threshold,
        "rounding_base": ROUNDING_BASE,
        "decline_codes": list(DECLINE_CODES),
        "outcomes": list(OUTCOMES),
        "rows": [row.as_dict() for row in groups],
        "total": total.as_dict(),
    }


def offers_by_service(figures: dict[str, Any]) -> dict[str, dict[str, int | None]]:
    """The return's rows summed over crime types, from their published values (a withheld part withholds the
    sum, so the sum reveals nothing the rows do not); services with no offers left out."""
    services: dict[str, dict[str, int | None]] = {}
    for row in figures["rows"]:
        into = services.setdefault(row["service"], {})
        for column in ("offered", "accepted", "declined", "expired", "withdrawn", "supported"):
            before = into.get(column, 0)
            into[column] = None if before is None or row[column] is None else before + row[column]
    return {service: row for service, row in services.items() if row["offered"] != 0}


def as_csv(figures: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["service", "crime_type", *COLUMNS])
    for row in [*figures["rows"], {**figures["total"], "service": "total", "crime_type": ""}]:
        writer.writerow(
            [row["service"], row["crime_type"], *("" if row[c] is None else row[c] for c in COLUMNS)]
        )
    return out.getvalue()
