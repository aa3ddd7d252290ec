"""The Victims Board's compliance report as one self-contained HTML page: a chart of the on-time rate by
right and a table by agency, with small numbers suppressed exactly as in the API. No scripts, no external
resources, so it can be mailed, archived and opened anywhere."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

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


def _table(by_agency: Summary) -> str:
    head = "".join(f'<th scope="col">{LABELS[c]}</th>' for c in COLUMNS)
    lines = [
        f'<table><thead><tr><th scope="col">Agency</th>{head}<th scope="col">On time</th></tr></thead><tbody>'
    ]
    for row in [*by_agency.rows, {**by_agency.total, "group": {"agency": None}}]:
        agency = row["group"]["agency"]
        name = "All agencies" if agency is None else AGENCIES.get(agency, agency)
        cells = "".join(f"<td>{_cell(row[c])}</td>" for c in COLUMNS)
        css = ' class="total"' if agency is None else ""
        lines.append(
            f'<tr{css}><th scope="row">{escape(name)}</th>{cells}<td>{_rate(row["on_time_rate"])}</td></tr>'
        )
    lines.append("</tbody></table>")
    return "\n".join(lines)


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2rem auto; max-width: 980px;
       color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; }
.period { color: #505a5f; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .45rem .6rem; border-bottom: 1px solid #d8dde0; text-align: right; }
th[scope=row], thead th:first-child { text-align: left; }
thead th { border-bottom: 2px solid #0b0c0c; }
tr.total th, tr.total td { font-weight: 700; border-top: 2px solid #0b0c0c; }
svg .bar { fill: #1d70b8; } svg .grid { stroke: #d8dde0; } svg text { font-size: 13px; fill: #1b1b1b; }
svg .label { text-anchor: end; } svg .tick { text-anchor: middle; fill: #505a5f; } svg .note { fill: #505a5f; font-style: italic; }
.notes { color: #505a5f; font-size: .92rem; margin-top: 2rem; }
"""


def render(by_right: Summary, by_agency: Summary, generated_at: dt.datetime) -> str:
    period = by_right.period
    threshold = by_right.suppression_threshold
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Victims' Code compliance {escape(period["from"])} to {escape(period["to"])}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Victims' Code compliance</h1>
<p class="period">Points triggered from {escape(period["from"])} to {escape(period["to"])} ·
generated {generated_at:%d %B %Y %H:%M} UTC</p>
<h2>Met on time, by right</h2>
{_chart(by_right)}
<h2>By agency</h2>
{_table(by_agency)}
<div class="notes">
<p>On time: points met on or before their due date, as a share of points met, met late or missed. Pending and
not-applicable points are not in the rate.</p>
<p>{SUPPRESSED} marks a figure that is not published: counts from 1 to {threshold - 1} are withheld, and so are
further figures where they would let a withheld one be worked out. Rates are shown only over at least
{threshold} points. Nothing in this report identifies a person.</p>
</div>
</body>
</html>
"""
