"""The commissioner's return, computed and protected. Pure: no I/O.

One row per service and principal crime type, counting the offers made to providers in the period:

- offered = accepted + declined + expired + withdrawn + open (awaiting an answer);
- accepted: the provider took the referral (accepted, in support or since closed);
- declined, also by reason code; expired: unanswered by the deadline; withdrawn: taken back (consent
  withdrawn, rerouted, the case closed);
- supported: in support now, or closed with the outcome "supported";
- closure outcomes: closed referrals by outcome;
- median days from the referral reaching VAL to the victim's first reached contact, and from offer to acceptance.

Protection, as the Board summary's (docs/compliance.md, ADR 0004): counts from 1 to threshold - 1 are withheld, and
more cells until no withheld count can be worked out exactly from the published ones by any combination of the
return's sums; every published count is rounded to base 5; a median of fewer than threshold values is withheld.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from val.compliance.suppression import Adjacency, Cell, Vertex, bridges, reachable, rounded

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


def return_relations(n_rows: int, decline_codes: tuple[str, ...]) -> list[dict[Cell, int]]:
    """The sums a reader knows the return obeys, each as coefficients × cells = 0: in every row, offered is the
    sum of the partition and declined the sum of its reason codes; in every column, the groups add up to the
    total row (the last)."""
    total = n_rows - 1
    found: list[dict[Cell, int]] = []
    for row in range(n_rows):
        found.append({(row, "offered"): 1, **{(row, c): -1 for c in PARTITION}})
        found.append({(row, "declined"): 1, **{(row, f"declined_{code}"): -1 for code in decline_codes}})
    for column in count_columns(decline_codes):
        found.append({**{(row, column): 1 for row in range(total)}, (total, column): -1})
    return found


def _withheld(raw: list[dict[str, int]], decline_codes: tuple[str, ...], threshold: int) -> set[Cell]:
    """The Board summary's protection (val.compliance.suppression): counts from 1 to threshold - 1 withheld,
    the totals' pattern decided by the totals alone, then, while any withheld count can still be worked out
    exactly from the published ones and the return's sums, one more cell that puts it on a cycle: a group's
    rather than a total, then the smallest."""
    total = len(raw) - 1
    relations = return_relations(len(raw), decline_codes)
    hidden = _total_pattern(raw[total], total, relations, threshold) | {
        (row, column)
        for row, counts in enumerate(raw[:total])
        for column, value in counts.items()
        if 0 < value < threshold
    }

    def cost(cell: Cell) -> tuple[bool, int, Cell]:
        return (cell[0] == total, raw[cell[0]][cell[1]], cell)

    def in_a_group(cells: list[Cell]) -> list[Cell]:
        return [c for c in cells if c[0] < total]

    while exposed := exposed_in_return(hidden):
        cell = min(exposed)
        around = [o for r in relations if cell in r for o in r if o not in hidden]
        anywhere = [o for r in relations if hidden.intersection(r) for o in r if o not in hidden]
        candidates = (
            in_a_group(_cycle_closing(cell, hidden, raw)) or in_a_group(around) or in_a_group(anywhere)
        )
        if not candidates:  # every group cell that could help is withheld: nothing is left to subtract from
            return hidden
        hidden.add(min(candidates, key=cost))
    return hidden


# The return's sums as a graph, so that "can this withheld count be worked out?" is "is its edge a bridge?" (as
# for the Board's table, in linear time). Each row's two sums are a vertex each ("a": offered and its partition;
# "b": declined and its reasons), each column a vertex, and a withheld cell an edge between the sums it is in.
# A declined cell is in three sums (both of its row's and its column's), but its column's sum follows from the
# others (add up the rows' "a" sums and the partition's columns), so it adds nothing and the cell is the edge
# a-b. A column in no row sum (supported, the outcomes) ties its cells to a ground vertex: one withheld cell
# there is alone in its sum, two or more are on a cycle. tests/unit/test_commissioning_figures.py holds this
# equal to the exact linear algebra on random patterns.
_GROUND: Vertex = ("ground", None)


def _edge(cell: Cell) -> tuple[Vertex, Vertex]:
    row, column = cell
    if column == "declined":
        return ("a", row), ("b", row)
    if column == "offered" or column in PARTITION:
        return ("a", row), ("column", column)
    if column.startswith("declined_"):
        return ("b", row), ("column", column)
    return ("column", column), _GROUND


def exposed_in_return(hidden: set[Cell]) -> set[Cell]:
    """The withheld cells that the published cells and the return's sums give away."""
    adjacency: Adjacency = {}
    for cell in hidden:
        a, b = _edge(cell)
        adjacency.setdefault(a, []).append((b, cell))
        adjacency.setdefault(b, []).append((a, cell))
    return bridges(adjacency)


def _cycle_closing(cell: Cell, hidden: set[Cell], raw: list[dict[str, int]]) -> list[Cell]:
    """Published cells whose withholding puts `cell` on a cycle: their edge joins the two sides the bridge
    `cell` separates."""
    neighbours: dict[Vertex, list[Vertex]] = {}
    for other in hidden - {cell}:
        a, b = _edge(other)
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)

    near, far = (reachable(neighbours, v) for v in _edge(cell))
    found: list[Cell] = []
    for row, counts in enumerate(raw):
        for column in counts:
            if (row, column) not in hidden:
                a, b = _edge((row, column))
                if (a in near and b in far) or (a in far and b in near):
                    found.append((row, column))
    return found


def _total_pattern(
    totals: dict[str, int], total: int, relations: list[dict[Cell, int]], threshold: int
) -> set[Cell]:
    """Which totals are withheld follows from the totals alone: small ones, and in a total-row sum left with one
    withheld, the smallest other non-zero total too."""
    hidden = {(total, column) for column, value in totals.items() if 0 < value < threshold}
    in_total_row = [r for r in relations if all(cell[0] == total for cell in r)]
    changed = True
    while changed:
        changed = False
        for relation in in_total_row:
            if len(hidden.intersection(relation)) == 1:
                others = sorted(
                    (totals[c], (row, c)) for row, c in relation if (row, c) not in hidden and totals[c]
                )
                if others:
                    hidden.add(others[0][1])
                    changed = True
    return hidden
