"""The Victims Board's compliance summary: counts by group over a period, with small numbers suppressed.
It reads only the points table's non-identifying columns: no name, id, date of birth or free text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from val.compliance.catalogue import AGE_BANDS, Catalogue
from val.compliance.store import COUNTED, raw_counts
from val.compliance.suppression import COLUMNS, ROUNDING_BASE, STATUS_COLUMNS, on_time_rate, protect, suppress

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Summary:
    period: dict[str, str]
    group_by: list[str]
    suppression_threshold: int
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    rounding_base: int = ROUNDING_BASE

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "group_by": self.group_by,
            "suppression_threshold": self.suppression_threshold,
            "rounding_base": self.rounding_base,
            "rows": self.rows,
            "total": self.total,
        }


def _with_due(tallies: dict[str, int]) -> dict[str, int]:
    return {"due": sum(tallies[c] for c in STATUS_COLUMNS), **tallies}


def dimensions(catalogue: Catalogue, policing_areas: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
    """Every value each grouping can take, so every one appears as a row (zeros included): a row's presence
    must reveal nothing (docs/compliance.md)."""
    return {
        "right": tuple(sorted({p.right for p in catalogue.points}, key=lambda r: (r is None, r or 0))),
        "code": tuple(p.code for p in catalogue.points),
        "agency": tuple(dict.fromkeys(p.agency for p in catalogue.points)),
        "crime_type": catalogue.crime_type_priority,
        "enhanced": (False, True),
        "policing_area": policing_areas,
        "age_band": AGE_BANDS,
    }


def _every_group(
    found: list[tuple[dict[str, Any], dict[str, int]]],
    group_by: list[str],
    values: dict[str, tuple[Any, ...]] | None,
) -> list[tuple[dict[str, Any], dict[str, int]]]:
    if not group_by or values is None:
        return found
    counted = {tuple(group[name] for name in group_by): tallies for group, tallies in found}
    axes = [
        list(dict.fromkeys([*values[name], *(key[i] for key in counted)])) for i, name in enumerate(group_by)
    ]
    zero = dict.fromkeys(COUNTED, 0)
    return [
        (dict(zip(group_by, key, strict=True)), counted.get(key, zero)) for key in itertools.product(*axes)
    ]


def summarise(
    session: Session,
    date_from: dt.date,
    date_to: dt.date,
    group_by: list[str],
    threshold: int,
    values: dict[str, tuple[Any, ...]] | None = None,
) -> Summary:
    """Counts 1 to threshold - 1 withheld (and whatever would reveal them), every other count rounded to base 5,
    rates from the rounded counts; with `values`, every group appears, zeros included."""
    groups = _every_group(raw_counts(session, date_from, date_to, group_by), group_by, values)
    rows = [_with_due(tallies) for _, tallies in groups]
    total = {column: sum(row[column] for row in rows) for column in COLUMNS}
    table = protect(suppress([*rows, total], threshold))

    def present(index: int, group: dict[str, Any] | None) -> dict[str, Any]:
        hidden = [column for column in COLUMNS if (index, column) in table.hidden]
        out: dict[str, Any] = {"group": group} if group is not None else {}
        out.update({column: table.published(index, column) for column in COLUMNS})
        out["on_time_rate"] = on_time_rate(table, index, threshold)
        out["suppressed"] = bool(hidden)
        out["suppressed_cells"] = hidden
        return out

    return Summary(
        period={"from": date_from.isoformat(), "to": date_to.isoformat()},
        group_by=group_by,
        suppression_threshold=threshold,
        rows=[present(i, group) for i, (group, _) in enumerate(groups)],
        rounding_base=ROUNDING_BASE,
        total=present(len(groups), None),
    )


def as_csv(summary: Summary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*summary.group_by, *COLUMNS, "on_time_rate", "suppressed_cells"])

    def cell(value: Any) -> str:
        return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)

    for row in summary.rows:
        writer.writerow(
            [cell(row["group"][name]) for name in summary.group_by]
            + [cell(row[c]) for c in COLUMNS]
            + [cell(row["on_time_rate"]), ";".join(row["suppressed_cells"])]
        )
    total = summary.total
    writer.writerow(
        ["total"]
        + [""] * (len(summary.group_by) - 1)
        + [cell(total[c]) for c in COLUMNS]
        + [cell(total["on_time_rate"]), ";".join(total["suppressed_cells"])]
        if summary.group_by
        else [cell(total[c]) for c in COLUMNS]
        + [cell(total["on_time_rate"]), ";".join(total["suppressed_cells"])]
    )
    return buffer.getvalue()
