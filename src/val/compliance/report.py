"""The Victims Board's compliance report as one self-contained HTML page: a chart of the on-time rate by
right and a table by agency, with small numbers suppressed exactly as in the API. No scripts, no external
resources, so it can be mailed, archived and opened anywhere."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from val import pages
from val.compliance.board import Summary
from val.compliance.suppression import COLUMNS

SUPPRESSED = "·"
LABELS = {
    "due": "Due",
    "met": "Met",
    "met_late": "Met late",
    "missed": "Missed",
    "pending": "Pending",
    "not_applicable": "Not applicable",
}
AGENCIES = {
    "police": "Police",
    "cps": "Crown Prosecution Service",
    "witness_care": "Witness Care",
    "probation": "Probation",
    "complained_about": "Body complained about",
    "val": "Victim Advice Line",
}


def _right_label(right: Any) -> str:
    return "Local standards" if right is None else f"Right {right}"


def _cell(value: Any) -> str:
    return SUPPRESSED if value is None else f"{value:,}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _chart(by_right: Summary) -> str:
    bar_height, gap, label_width, width = 26, 10, 150, 460
    rows = by_right.rows
    height = max(1, len(rows)) * (bar_height + gap) + 30
    parts = [
        f'<svg role="img" aria-labelledby="chart-title" width="{label_width + width + 80}" height="{height}" '
        f'viewBox="0 0 {label_width + width + 80} {height}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Points met on time, by right</title>',
    ]
    for tick in (0, 25, 50, 75, 100):
        x = label_width + width * tick / 100
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height - 24}" class="grid"/>')
        parts.append(f'<text x="{x}" y="{height - 8}" class="tick">{tick}%</text>')
    for i, row in enumerate(rows):
        y = i * (bar_height + gap)
        label = escape(_right_label(row["group"]["right"]))
        parts.append(f'<text x="{label_width - 8}" y="{y + bar_height * 0.7}" class="label">{label}</text>')
        rate = row["on_time_rate"]
        if rate is None:
            # Two different facts: too few to publish, or nothing met, late or missed yet to rate.
            withheld = any(c in row["suppressed_cells"] for c in ("met", "met_late", "missed"))
            why = "withheld: too few points to publish" if withheld else "none met, late or missed yet"
            parts.append(f'<text x="{label_width + 6}" y="{y + bar_height * 0.7}" class="note">{why}</text>')
        else:
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{width * rate:.1f}" height="{bar_height}" class="bar">'
                f"<title>{label}: {_rate(rate)}</title></rect>"
            )
            parts.append(
                f'<text x="{label_width + width * rate + 6:.1f}" y="{y + bar_height * 0.7}" class="value">'
                f"{_rate(rate)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts)


def _agency_rows(by_agency: Summary) -> tuple[list[list[str]], list[str]]:
    """Each agency's row, and the total row: name, each count (or the withheld mark), the on-time rate."""

    def row(group: dict[str, Any], name: str) -> list[str]:
        return [name, *(_cell(group[c]) for c in COLUMNS), _rate(group["on_time_rate"])]

    rows = [row(r, AGENCIES.get(r["group"]["agency"], r["group"]["agency"])) for r in by_agency.rows]
    return rows, row(by_agency.total, "All agencies")


def render(by_right: Summary, by_agency: Summary, generated_at: dt.datetime) -> str:
    rows, total = _agency_rows(by_agency)
    return pages.render(
        "compliance_report.html",
        period=by_right.period,
        generated_at=generated_at,
        chart=pages.prebuilt(_chart(by_right)),
        head=["Agency", *(LABELS[c] for c in COLUMNS), "On time"],
        rows=rows,
        total=total,
        withheld=SUPPRESSED,
        threshold=by_right.suppression_threshold,
    )
