"""The commissioner's return, computed and protected. Pure: no I/O.

One row per service and principal crime type, counting the offers made to providers in the period:

- offered = accepted + declined + expired + withdrawn + open (awaiting an answer);
- accepted: the provider took the referral (accepted, in support or since closed);
- declined, also by reason code; expired: unanswered by the deadline; withdrawn: taken back (consent
  withdrawn, rerouted, the case closed);
- supported: in support now, or closed with the outcome "supported";
- closure outcomes: closed referrals by outcome;
- median days from the referral reaching VAL to the victim's first reached contact, and from offer to acceptance.

Protection, as the Board summary (docs/compliance.md, ADR 0004): counts from 1 to threshold - 1 are withheld, and one
more cell in any row or column relation left with a single withheld cell, so none is recovered by
subtraction; every published count is rounded to base 5; a median of fewer than threshold values is withheld.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from val.compliance.suppression import rounded

PARTITION = ("accepted", "declined", "expired", "withdrawn", "open")
OUTCOMES = ("supported", "unable_to_contact", "support_declined", "transferred")
ACCEPTED_STATUSES = ("accepted", "in_support", "closed")


@dataclass(frozen=True)
class Offer:
    """One offer to a provider, as the return counts it."""

    service: str
    crime_type: str
    status: str
    decline_code: str | None = None
    outcome: str | None = None
    days_to_acceptance: float | None = None
    days_to_first_contact: float | None = None


@dataclass
class ReturnRow:
    service: str | None  # None: the total row
    crime_type: str | None
    counts: dict[str, int | None] = field(default_factory=dict)
    medians: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"service": self.service, "crime_type": self.crime_type, **self.counts, **self.medians}


def count_columns(decline_codes: Iterable[str]) -> tuple[str, ...]:
    return (
        "offered",
        *PARTITION,
        *(f"declined_{code}" for code in decline_codes),
        "supported",
        *(f"outcome_{outcome}" for outcome in OUTCOMES),
    )


def _tally(
    offers: list[Offer], decline_codes: tuple[str, ...]
) -> tuple[dict[str, int], dict[str, list[float]]]:
    counts = dict.fromkeys(count_columns(decline_codes), 0)
    waits: dict[str, list[float]] = {"median_days_to_first_contact": [], "median_days_to_acceptance": []}
    for offer in offers:
        counts["offered"] += 1
        kind = "accepted" if offer.status in ACCEPTED_STATUSES else offer.status
        counts["open" if kind == "offered" else kind] += 1
        if offer.status == "declined":
            counts[f"declined_{offer.decline_code or 'other'}"] += 1
        if offer.status == "in_support" or (offer.status == "closed" and offer.outcome == "supported"):
            counts["supported"] += 1
        if offer.status == "closed" and offer.outcome in OUTCOMES:
            counts[f"outcome_{offer.outcome}"] += 1
        if offer.days_to_acceptance is not None:
            waits["median_days_to_acceptance"].append(offer.days_to_acceptance)
        if offer.days_to_first_contact is not None:
            waits["median_days_to_first_contact"].append(offer.days_to_first_contact)
    return counts, waits


def commissioning_return(
    offers: list[Offer],
    services: tuple[str, ...],
    crime_types: tuple[str, ...],
    decline_codes: tuple[str, ...],
    threshold: int,
) -> list[ReturnRow]:
    """Every service × crime type as a row (zeros included, so a row's presence says nothing), the total row
    last; protected."""
    groups: dict[tuple[str, str], list[Offer]] = {(s, c): [] for s in services for c in crime_types}
    for offer in offers:
        groups.setdefault((offer.service, offer.crime_type), []).append(offer)
    rows: list[ReturnRow] = []
    raw: list[dict[str, int]] = []
    for (service, crime_type), members in groups.items():
        counts, waits = _tally(members, decline_codes)
        raw.append(counts)
        rows.append(ReturnRow(service, crime_type, {}, _medians(waits, threshold)))
    total_counts, total_waits = _tally(offers, decline_codes)
    raw.append(total_counts)
    rows.append(ReturnRow(None, None, {}, _medians(total_waits, threshold)))
    hidden = _withheld(raw, decline_codes, threshold)
    for index, (row, counts) in enumerate(zip(rows, raw, strict=True)):
        row.counts = {
            column: None if (index, column) in hidden else rounded(value) for column, value in counts.items()
        }
    return rows


def _medians(waits: dict[str, list[float]], threshold: int) -> dict[str, float | None]:
    return {
        name: round(statistics.median(values), 1) if len(values) >= threshold else None
        for name, values in waits.items()
    }


def _relations(n_rows: int, decline_codes: tuple[str, ...]) -> list[list[tuple[int, str]]]:
    """Groups of cells tied by an equation (a sum): a group with one withheld cell would give it away."""
    columns = count_columns(decline_codes)
    found: list[list[tuple[int, str]]] = []
    total = n_rows - 1
    for row in range(n_rows):
        found.append([(row, c) for c in ("offered", *PARTITION)])
        found.append([(row, "declined"), *((row, f"declined_{code}") for code in decline_codes)])
    for column in columns:
        found.append([*((row, column) for row in range(total)), (total, column)])
    return found


def _withheld(
    raw: list[dict[str, int]], decline_codes: tuple[str, ...], threshold: int
) -> set[tuple[int, str]]:
    hidden = {
        (index, column)
        for index, counts in enumerate(raw)
        for column, value in counts.items()
        if 0 < value < threshold
    }
    relations = _relations(len(raw), decline_codes)
    changed = True
    while changed:
        changed = False
        for cells in relations:
            withheld = [cell for cell in cells if cell in hidden]
            if len(withheld) != 1:
                continue
            # The smallest other non-zero count of the relation (zeros published as zeros are no secret).
            others = sorted(
                (raw[row][column], (row, column))
                for row, column in cells
                if (row, column) not in hidden and raw[row][column] > 0
            )
            if others:
                hidden.add(others[0][1])
                changed = True
    return hidden
