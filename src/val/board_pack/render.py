"""The Board pack as one self-contained page: no script, no network; A4 print styles with a page per section;
every chart an inline SVG with a title and a text alternative, every table with proper headers."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from val.board_pack.charts import legend, paired_bars, rate_lines
from val.board_pack.figures import NONE, TIMELINESS_CODES, WITHHELD
from val.commissioning.report import CRIME_TYPES
from val.compliance.report import AGENCIES
from val.oruk.presenter import SERVICE_NAMES

STYLE = """
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #0b0c0c; line-height: 1.4;
       margin: 0 auto; max-width: 182mm; padding: 8mm 0; font-size: 11pt; }
h1 { font-size: 20pt; margin: 0 0 2mm; } h2 { font-size: 14pt; margin: 0 0 3mm; } h3 { font-size: 11pt; margin: 4mm 0 1mm; }
section { margin-top: 10mm; }
.period, .notes, .legend, caption { color: #505a5f; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 9.5pt; margin: 2mm 0 4mm; }
caption { text-align: left; font-size: 9pt; padding-bottom: 1mm; }
th, td { padding: 1.2mm 1.6mm; border-bottom: 1px solid #b1b4b6; text-align: right; }
th[scope=row], thead th:first-child { text-align: left; }
thead th { border-bottom: 2px solid #0b0c0c; }
table.compact { font-size: 8pt; } table.compact th, table.compact td { padding: 0.8mm 1mm; }
.grid-3 { display: grid; grid-template-columns: repeat(3, 1fr); gap: 3mm; }
.grid-3 figure { margin: 0; } figcaption { font-size: 9pt; font-weight: 600; }
svg { max-width: 100%; height: auto; display: block; }
svg text { font-size: 10px; fill: #0b0c0c; } svg .end { text-anchor: end; } svg .mid { text-anchor: middle; }
svg .grid { stroke: #dfe1e2; } svg .note { fill: #505a5f; font-style: italic; }
.legend span { display: inline-block; width: 3mm; height: 3mm; margin: 0 1.5mm 0 4mm; vertical-align: -0.3mm; }
.key { display: grid; grid-template-columns: repeat(3, 1fr); gap: 3mm; margin: 4mm 0; }
.key div { border-left: 4px solid #0072B2; padding: 1mm 3mm; } .key strong { display: block; font-size: 16pt; }
@media print { body { padding: 0; } section { break-before: page; margin-top: 0; } .no-break { break-inside: avoid; } }
"""


def _n(value: Any) -> str:
    if value is None or value == WITHHELD:
        return "withheld"
    if value == NONE:
        return "none"
    if isinstance(value, float):
        return f"{value * 100:.0f}%" if value <= 1 else f"{value:.1f}"
    return f"{value:,}"


def _days(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, float) else _n(value)


def _right(right: Any) -> str:
    return "Local standards" if right is None else f"Right {right}"


def _short(service: str) -> str:
    """A service's name as a chart label: its abbreviation when it has one ("IDVA"), else its name."""
    name = SERVICE_NAMES.get(service, service)
    return name[name.rindex("(") + 1 : -1] if name.endswith(")") else name


def _area(area: str) -> str:
    return area.replace("_", " ").title().replace(" And ", " and ")


def _table(caption: str, head: list[str], rows: list[list[str]], css: str = "") -> str:
    heads = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        f'<tr><th scope="row">{escape(r[0])}</th>' + "".join(f"<td>{escape(c)}</td>" for c in r[1:]) + "</tr>"
        for r in rows
    )
    attribute = f' class="{css}"' if css else ""
    return (
        f"<table{attribute}><caption>{escape(caption)}</caption><thead><tr>{heads}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _on_time(pack: dict[str, Any]) -> str:
    now, before = pack["on_time"], pack["on_time_previous"]
    figures = []
    for right, series in now["series"].items():
        earlier = before["series"][right]
        title = f"{_right(right)}: share met on time, by month"
        chart = rate_lines(title, now["months"], series, earlier)
        figures.append(f"<figure><figcaption>{escape(_right(right))}</figcaption>{chart}</figure>")
    # Months down, rights across: as wide for three years as for one month.
    rights = list(now["series"])
    table = _table(
        "Share of points met on time, by month and right (this period)",
        ["Month", *(_right(r).replace("Local standards", "Local") for r in rights)],
        [[month, *(_n(now["series"][r][i]) for r in rights)] for i, month in enumerate(now["months"])],
        css="compact",
    )
    return f'<div class="grid-3">{"".join(figures)}</div>{legend()}{table}'


def _volumes(pack: dict[str, Any]) -> str:
    now, before = pack["volumes"], pack["volumes_previous"]
    crimes = list(now["by_crime_type"])
    areas = list(now["by_area"])
    offers_now, offers_before = pack["offers"], pack["offers_previous"]
    services = sorted(set(offers_now) | set(offers_before))
    parts = [
        "<h3>Referrals received, by crime type</h3>",
        paired_bars(
            "Referrals received by principal crime type, this period and the previous one",
            [CRIME_TYPES.get(c, c) for c in crimes],
            [now["by_crime_type"][c] for c in crimes],
            [before["by_crime_type"][c] for c in crimes],
        ),
        "<h3>Referrals received, by policing area</h3>",
        paired_bars(
            "Referrals received by policing area, this period and the previous one",
            [_area(a) for a in areas],
            [now["by_area"][a] for a in areas],
            [before["by_area"][a] for a in areas],
        ),
        "<h3>Referrals offered to providers, by service</h3>",
    ]
    if services:
        parts.append(
            paired_bars(
                "Referrals offered to providers by service, this period and the previous one",
                [_short(s) for s in services],
                [offers_now.get(s, {}).get("offered", 0) for s in services],
                [offers_before.get(s, {}).get("offered", 0) for s in services],
            )
        )
    else:
        parts.append("<p>No referrals were offered to providers in either period.</p>")
    parts.append(legend())
    parts.append(
        _table(
            "Referrals offered to providers, by service",
            ["Service", "This period", "Previous period"],
            [
                [
                    SERVICE_NAMES.get(s, s),
                    _n(offers_now.get(s, {}).get("offered", 0)),
                    _n(offers_before.get(s, {}).get("offered", 0)),
                ]
                for s in services
            ],
        )
    )
    parts.append(
        _table(
            "Referrals received (totals)",
            ["", "This period", "Previous period"],
            [
                ["All crime types", _n(now["by_crime_type_total"]), _n(before["by_crime_type_total"])],
            ],
        )
    )
    return "\n".join(parts)


def _timeliness(pack: dict[str, Any]) -> str:
    rows = []
    for code, label in TIMELINESS_CODES.items():
        now, before = pack["timeliness"][code], pack["timeliness_previous"][code]
        rows.append(
            [
                label,
                _days(now["median_working_days"]),
                _n(now["share_on_time"]),
                _days(before["median_working_days"]),
                _n(before["share_on_time"]),
            ]
        )
    return _table(
        "Median working days from the trigger to the duty being met, and the share met within its target",
        ["Duty", "Median days", "Within target", "Median days (previous)", "Within target (previous)"],
        rows,
    )


def _missed(pack: dict[str, Any]) -> str:
    now, before = pack["missed_by_agency"], pack["missed_by_agency_previous"]
    agencies = [a for a in now if a != "total"]
    chart = paired_bars(
        "Points missed, by the agency that owed them, this period and the previous one",
        [AGENCIES.get(a, a) for a in agencies],
        [now[a] for a in agencies],
        [before[a] for a in agencies],
    )
    table = _table(
        "Points missed, by agency",
        ["Agency", "This period", "Previous period"],
        [[AGENCIES.get(a, a), _n(now[a]), _n(before[a])] for a in agencies]
        + [["All agencies", _n(now["total"]), _n(before["total"])]],
    )
    return chart + legend() + table


def _return_brief(pack: dict[str, Any]) -> str:
    offers = pack["offers"]
    if not offers:
        return "<p>No referrals were offered to providers in this period.</p>"
    rows = [
        [
            SERVICE_NAMES.get(service, service),
            _n(row["offered"]),
            _n(row["accepted"]),
            _n(row["declined"]),
            _n(row["supported"]),
        ]
        for service, row in sorted(offers.items())
    ]
    total = pack["return_total"]
    rows.append(
        [
            "All services",
            _n(total["offered"]),
            _n(total["accepted"]),
            _n(total["declined"]),
            _n(total["supported"]),
        ]
    )
    return _table(
        "The commissioner's return in brief (the full return: val report return)",
        ["Service", "Offered", "Accepted", "Declined", "Victims supported"],
        rows,
    )


def render(pack: dict[str, Any], generated_at: dt.datetime) -> str:
    period, previous, threshold = pack["period"], pack["previous"], pack["threshold"]
    total = pack["return_total"]
    return f"""<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Victims Board pack: {escape(period.label())}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>Victims Board pack</h1>
<p class="period">{escape(period.label())}, compared with {escape(previous.label())} ·
generated {generated_at:%d %B %Y %H:%M} UTC</p>
<div class="key">
<div>Referrals received<strong>{_n(pack["volumes"]["by_crime_type_total"])}</strong></div>
<div>Offered to providers<strong>{_n(total["offered"])}</strong></div>
<div>Victims supported<strong>{_n(total["supported"])}</strong></div>
</div>
<p class="notes">How to read it: every count is rounded to the nearest 5. <em>withheld</em> means there were
between 1 and {threshold - 1} (or a figure that would let one be worked out), so it is not published;
<em>none</em> means there was nothing to count. A point past its due date and not met is counted as missed.
Nothing in this pack identifies a person.</p>
</header>
<section class="no-break"><h2>Victims' Code: met on time, by right and month</h2>{_on_time(pack)}</section>
<section><h2>Volumes</h2>{_volumes(pack)}</section>
<section class="no-break"><h2>Timeliness: referral to support (Right 4) and first contact</h2>{_timeliness(pack)}
<h2>Missed points, by agency</h2>{_missed(pack)}</section>
<section class="no-break"><h2>The commissioner's return in brief</h2>{_return_brief(pack)}</section>
</body>
</html>
"""
