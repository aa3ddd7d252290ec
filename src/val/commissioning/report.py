"""The commissioner's return as one self-contained HTML page (no script, no network): a chart of offers and
what became of them by service, then the tables a Police and Crime Commissioner reports, protected exactly as
in the API."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from val.commissioning.returns import offers_by_service
from val.compliance.report import STYLE as COMPLIANCE_STYLE
from val.oruk.presenter import SERVICE_NAMES

WITHHELD = "·"
CRIME_TYPES = {
    "domestic_abuse": "Domestic abuse",
    "sexual_violence": "Sexual violence",
    "hate_crime": "Hate crime",
    "road_traffic_collision": "Road traffic collision",
    "child_criminal_exploitation": "Child criminal exploitation",
    "modern_slavery": "Modern slavery",
    "homicide_bereavement": "Homicide bereavement",
    "stalking_harassment": "Stalking and harassment",
    "other": "Other crime",
}
# Colour-blind-safe (Okabe–Ito): accepted, declined, expired or withdrawn.
PALETTE = {"accepted": "#0072B2", "declined": "#D55E00", "lapsed": "#999999"}
STYLE = (
    COMPLIANCE_STYLE
    + """
.legend span { display: inline-block; width: .9rem; height: .9rem; margin: 0 .3rem 0 1rem; vertical-align: -2px; }
td.note { text-align: left; color: #505a5f; }
"""
)


def _cell(value: Any) -> str:
    if value is None:
        return WITHHELD
    return f"{value:,}" if isinstance(value, int) else f"{value:.1f}"


def _chart(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No referrals were offered to providers in this period.</p>"
    bar, gap, label_width, width = 22, 12, 330, 420
    largest = max((r["offered"] or 0) for r in rows) or 1
    height = len(rows) * (bar + gap) + 10
    parts = [
        f'<svg role="img" aria-labelledby="offers-title offers-desc" width="{label_width + width + 70}" '
        f'height="{height}" viewBox="0 0 {label_width + width + 70} {height}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="offers-title">Referrals offered to providers, by service</title>',
        '<desc id="offers-desc">For each service, a bar of the referrals offered, split into those accepted, '
        "declined, and expired or withdrawn. The same figures are in the table below.</desc>",
    ]
    for i, row in enumerate(rows):
        y = i * (bar + gap)
        name = escape(SERVICE_NAMES.get(row["service"], row["service"]))
        parts.append(f'<text x="{label_width - 8}" y="{y + bar * 0.7}" class="label">{name}</text>')
        parts_of = {
            "accepted": row["accepted"],
            "declined": row["declined"],
            "lapsed": None
            if row["expired"] is None or row["withdrawn"] is None
            else row["expired"] + row["withdrawn"],
        }
        if row["offered"] is None or any(v is None for v in parts_of.values()):
            parts.append(
                f'<text x="{label_width + 6}" y="{y + bar * 0.7}" class="note">withheld: too few to publish</text>'
            )
            continue
        x = float(label_width)
        for kind, value in parts_of.items():
            span = width * value / largest
            if span:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{span:.1f}" height="{bar}" fill="{PALETTE[kind]}">'
                    f"<title>{name}: {value:,} {kind}</title></rect>"
                )
            x += span
        parts.append(f'<text x="{x + 6:.1f}" y="{y + bar * 0.7}" class="value">{row["offered"]:,}</text>')
    parts.append("</svg>")
    legend = "".join(
        f'<span style="background:{colour}"></span>{label}'
        for label, colour in (
            ("Accepted", PALETTE["accepted"]),
            ("Declined", PALETTE["declined"]),
            ("Expired or withdrawn", PALETTE["lapsed"]),
        )
    )
    return "\n".join(parts) + f'\n<p class="legend">{legend}</p>'


def _table(figures: dict[str, Any], columns: list[tuple[str, str]], caption: str) -> str:
    head = "".join(f'<th scope="col">{escape(label)}</th>' for _, label in columns)
    lines = [
        f"<table><caption>{escape(caption)}</caption><thead><tr>"
        f'<th scope="col">Service</th><th scope="col">Crime type</th>{head}</tr></thead><tbody>'
    ]
    shown = [r for r in figures["rows"] if r["offered"] != 0]
    for row in shown:
        cells = "".join(f"<td>{_cell(row[c])}</td>" for c, _ in columns)
        service = escape(SERVICE_NAMES.get(row["service"], row["service"]))
        crime = escape(CRIME_TYPES.get(row["crime_type"], row["crime_type"]))
        lines.append(f'<tr><th scope="row">{service}</th><td class="note">{crime}</td>{cells}</tr>')
    total = "".join(f"<td>{_cell(figures['total'][c])}</td>" for c, _ in columns)
    lines.append(f'<tr class="total"><th scope="row">All services</th><td></td>{total}</tr>')
    lines.append("</tbody></table>")
    return "\n".join(lines)


def render(figures: dict[str, Any], generated_at: dt.datetime) -> str:
    period, threshold = figures["period"], figures["suppression_threshold"]
    offers = [
        ("offered", "Offered"),
        ("accepted", "Accepted"),
        ("declined", "Declined"),
        ("expired", "Expired"),
        ("withdrawn", "Withdrawn"),
        ("open", "Awaiting an answer"),
        ("supported", "Victims supported"),
    ]
    declines = [
        (f"declined_{code}", code.replace("_", " ").capitalize()) for code in figures["decline_codes"]
    ]
    outcomes = [(f"outcome_{o}", o.replace("_", " ").capitalize()) for o in figures["outcomes"]]
    waits = [
        ("median_days_to_first_contact", "Median days to first contact"),
        ("median_days_to_acceptance", "Median days to acceptance"),
    ]
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Commissioner's return {escape(period["from"])} to {escape(period["to"])}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Commissioner's return: victim services</h1>
<p class="period">Referrals offered to providers from {escape(period["from"])} to {escape(period["to"])} ·
generated {generated_at:%d %B %Y %H:%M} UTC</p>
<h2>Offers and what became of them</h2>
{_chart([{"service": name, **row} for name, row in offers_by_service(figures).items()])}
<h2>By service and crime type</h2>
{_table(figures, offers, "Referrals offered, by what became of them")}
<h2>Declines by reason</h2>
{_table(figures, declines, "Declined referrals, by the provider's reason")}
<h2>Closure outcomes</h2>
{_table(figures, outcomes, "Referrals the provider has closed, by outcome")}
<h2>Timeliness</h2>
{_table(figures, waits, "Median days from the referral to first contact, and from offer to acceptance")}
<div class="notes">
<p>Crime type is each case's principal crime type. Victims supported: referrals in support now, or closed as
supported. First contact: the first call or message that reached the victim.</p>
<p>{WITHHELD} marks a figure that is not published: counts from 1 to {threshold - 1} are withheld, and so are
further figures where they would let a withheld one be worked out; every published count is rounded to the
nearest {figures["rounding_base"]}; medians are shown only over at least {threshold} referrals. Rows with no
referrals are left out of the tables. Nothing in this report identifies a person.</p>
</div>
</body>
</html>
"""
