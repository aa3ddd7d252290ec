"""Victims' satisfaction for the Victims Board, protected as every Board figure is (docs/victims.md). Pure.

A table has a row per group (month, crime type or policing area) and a total. Each row counts responses and, of
them, those satisfied (4 or 5 of 5), those who told their story once, those who felt listened to. Published:
1. a group with 1 to threshold - 1 responses is withheld whole; if only one group is withheld, the next smallest
   is too, so the total cannot give it away;
2. in a published row, a count is withheld when it or its complement (responses minus it) is from 1 to
   threshold - 1: a small number who said "no" would otherwise be as plain as a small number who said "yes";
3. in each column, if exactly one cell is withheld while the total is published, the next smallest is too;
4. every published count is rounded to a multiple of 5, and a rate is given only from published, rounded
   counts over at least the threshold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from val.compliance.suppression import ROUNDING_BASE, rounded

MEASURES = ("satisfied", "told_once", "listened_to")


@dataclass
class Row:
    group: dict[str, Any]
    counts: dict[str, int]  # responses and each measure, true values
    hidden: set[str] = field(default_factory=set)

    def published(self) -> dict[str, Any]:
        shown = {k: None if k in self.hidden else rounded(v) for k, v in self.counts.items()}
        responses = shown["responses"]
        rates: dict[str, float | None] = {}
        for m in MEASURES:
            count = shown[m]
            rates[f"{m}_rate"] = round(count / responses, 4) if responses and count is not None else None
        return {
            "group": self.group,
            **shown,
            **rates,
            "suppressed": "responses" in self.hidden,
            "suppressed_cells": sorted(self.hidden),
        }


def _small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def protect(rows: list[Row], total: Row, threshold: int) -> None:
    """Marks what is withheld on `rows` and `total` (every cell's true count stays for the rounding)."""
    every = [*MEASURES, "responses"]
    if _small(total.counts["responses"], threshold):
        total.hidden.update(every)
    withheld = [r for r in rows if _small(r.counts["responses"], threshold)]
    if len(withheld) == 1 and not total.hidden:
        others = sorted(
            (r for r in rows if r not in withheld and r.counts["responses"]),
            key=lambda r: r.counts["responses"],
        )
        if others:
            withheld.append(others[0])
        else:
            total.hidden.update(every)
    for row in withheld:
        row.hidden.update(every)
    for row in (*rows, total):
        n = row.counts["responses"]
        for m in MEASURES:
            if _small(row.counts[m], threshold) or _small(n - row.counts[m], threshold):
                row.hidden.add(m)
    for column in MEASURES:
        hidden_here = [r for r in rows if column in r.hidden]
        if len(hidden_here) == 1 and column not in total.hidden:
            shown = sorted(
                (r for r in rows if column not in r.hidden and r.counts[column]),
                key=lambda r: r.counts[column],
            )
            if shown:
                shown[0].hidden.add(column)
            else:
                total.hidden.add(column)


def table(
    groups: list[dict[str, Any]], counted: dict[Any, dict[str, int]], key: str, threshold: int
) -> dict[str, Any]:
    """Every group (zeros too), protected; `counted` maps a group's value to its counts."""
    empty = {"responses": 0, **dict.fromkeys(MEASURES, 0)}
    rows = [Row(group, dict(counted.get(group[key], empty))) for group in groups]
    total = Row({}, {c: sum(r.counts[c] for r in rows) for c in empty})
    protect(rows, total, threshold)
    published_total = total.published()
    published_total.pop("group")
    return {
        "suppression_threshold": threshold,
        "rounding_base": ROUNDING_BASE,
        "rows": [row.published() for row in rows],
        "total": published_total,
    }
