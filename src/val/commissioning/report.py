"""The commissioner's return as one self-contained HTML page (no script, no network): a chart of offers and
what became of them by service, then the tables a Police and Crime Commissioner reports, protected exactly as
in the API."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from val import pages
from val.commissioning.returns import offers_by_service
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
LEGEND = (
    ("Accepted", PALETTE["accepted"]),
    ("Declined", PALETTE["declined"]),
    ("Expired or withdrawn", PALETTE["lapsed"]),
)


def _cell(value: Any) -> str:
    if value is None:
        return WITHHELD
    return f"{value:,}" if isinstance(value, int) else f"{value:.1f}"


def _chart(rows: list[dict[str, Any]]) -> str:
    """Offers by service as stacked bars (empty when there were none), every value escaped."""
    if not rows:
        return ""
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
    return "\n".join(parts)


def _section(
    heading: str, caption: str, figures: dict[str, Any], columns: list[tuple[str, str]]
) -> dict[str, Any]:
    """One table of the return: a row per service and crime type with any referrals, and the total."""
    rows = [
        {
            "service": SERVICE_NAMES.get(row["service"], row["service"]),
            "crime_type": CRIME_TYPES.get(row["crime_type"], row["crime_type"]),
            "cells": [_cell(row[c]) for c, _ in columns],
        }
        for row in figures["rows"]
        if row["offered"] != 0
    ]
    return {
        "heading": heading,
        "caption": caption,
        "head": [label for _, label in columns],
        "rows": rows,
        "total": [_cell(figures["total"][c]) for c, _ in columns],
    }


def render(figures: dict[str, Any], generated_at: dt.datetime) -> str:
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
    chart = _chart([{"service": name, **row} for name, row in offers_by_service(figures).items()])
    return pages.render(
        "commissioning_return.html",
        period=figures["period"],
        generated_at=generated_at,
        chart=pages.prebuilt(chart) if chart else None,
        legend=LEGEND,
        sections=[
            _section(
                "By service and crime type", "Referrals offered, by what became of them", figures, offers
            ),
            _section("Declines by reason", "Declined referrals, by the provider's reason", figures, declines),
            _section("Closure outcomes", "Referrals the provider has closed, by outcome", figures, outcomes),
            _section(
                "Timeliness",
                "Median days from the referral to first contact, and from offer to acceptance",
                figures,
                waits,
            ),
        ],
        withheld=WITHHELD,
        threshold=figures["suppression_threshold"],
        rounding_base=figures["rounding_base"],
    )
