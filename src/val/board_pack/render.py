"""The Board pack as one self-contained page: no script, no network; A4 print styles with a page per section;
every chart an inline SVG with a title and a text alternative, every table with proper headers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from val import pages
from val.board_pack.charts import legend, paired_bars, rate_lines
from val.board_pack.figures import NONE, TIMELINESS_CODES, WITHHELD
from val.commissioning.report import CRIME_TYPES
from val.compliance.report import AGENCIES
from val.oruk.presenter import SERVICE_NAMES


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


def _table(caption: str, head: list[str], rows: list[list[str]], css: str = "") -> dict[str, Any]:
    return {"caption": caption, "head": head, "rows": rows, "css": css}


def _on_time(pack: dict[str, Any]) -> dict[str, Any]:
    now, before = pack["on_time"], pack["on_time_previous"]
    figures = []
    for right, series in now["series"].items():
        earlier = before["series"][right]
        title = f"{_right(right)}: share met on time, by month"
        chart = rate_lines(title, now["months"], series, earlier)
        figures.append((_right(right), pages.prebuilt(chart)))
    # Months down, rights across: as wide for three years as for one month.
    rights = list(now["series"])
    table = _table(
        "Share of points met on time, by month and right (this period)",
        ["Month", *(_right(r).replace("Local standards", "Local") for r in rights)],
        [[month, *(_n(now["series"][r][i]) for r in rights)] for i, month in enumerate(now["months"])],
        css="compact",
    )
    return {"figures": figures, "table": table}


def _volumes(pack: dict[str, Any]) -> dict[str, Any]:
    now, before = pack["volumes"], pack["volumes_previous"]
    crimes = list(now["by_crime_type"])
    areas = list(now["by_area"])
    offers_now, offers_before = pack["offers"], pack["offers_previous"]
    services = sorted(set(offers_now) | set(offers_before))
    offers = paired_bars(
        "Referrals offered to providers by service, this period and the previous one",
        [_short(s) for s in services],
        [offers_now.get(s, {}).get("offered", 0) for s in services],
        [offers_before.get(s, {}).get("offered", 0) for s in services],
    )
    return {
        "by_crime_type": pages.prebuilt(
            paired_bars(
                "Referrals received by principal crime type, this period and the previous one",
                [CRIME_TYPES.get(c, c) for c in crimes],
                [now["by_crime_type"][c] for c in crimes],
                [before["by_crime_type"][c] for c in crimes],
            )
        ),
        "by_area": pages.prebuilt(
            paired_bars(
                "Referrals received by policing area, this period and the previous one",
                [_area(a) for a in areas],
                [now["by_area"][a] for a in areas],
                [before["by_area"][a] for a in areas],
            )
        ),
        "offers": pages.prebuilt(offers) if services else None,
        "offers_table": _table(
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
        ),
        "totals_table": _table(
            "Referrals received (totals)",
            ["", "This period", "Previous period"],
            [["All crime types", _n(now["by_crime_type_total"]), _n(before["by_crime_type_total"])]],
        ),
    }


def _timeliness(pack: dict[str, Any]) -> dict[str, Any]:
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


def _missed(pack: dict[str, Any]) -> dict[str, Any]:
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
    return {"chart": pages.prebuilt(chart), "table": table}


def _return_brief(pack: dict[str, Any]) -> dict[str, Any] | None:
    offers = pack["offers"]
    if not offers:
        return None
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


def _feedback(pack: dict[str, Any]) -> list[dict[str, Any]]:
    """Victims' satisfaction from the feedback page, by month and by crime type (small numbers withheld)."""
    head = ["Responses", "Satisfied", "Told their story once", "Felt listened to"]
    tables = []
    for grouping, caption, first, label in (
        ("month", "Victims' feedback, by month the answers arrived", "Month", lambda m: m),
        ("crime_type", "Victims' feedback, by crime type", "Crime type", lambda c: CRIME_TYPES.get(c, c)),
    ):
        figures = pack["feedback"][grouping]

        def cells(row: dict[str, Any]) -> list[str]:
            return [
                _n(row["responses"]),
                *(_n(row[f"{m}_rate"]) for m in ("satisfied", "told_once", "listened_to")),
            ]

        rows = [[str(label(row["group"][grouping])), *cells(row)] for row in figures["rows"]]
        rows.append(["All", *cells(figures["total"])])
        tables.append(_table(caption, [first, *head], rows))
    return tables


def render(pack: dict[str, Any], generated_at: dt.datetime) -> str:
    total = pack["return_total"]
    return pages.render(
        "board_pack.html",
        period=pack["period"].label(),
        previous=pack["previous"].label(),
        generated_at=generated_at,
        threshold=pack["threshold"],
        key={
            "received": _n(pack["volumes"]["by_crime_type_total"]),
            "offered": _n(total["offered"]),
            "supported": _n(total["supported"]),
        },
        legend=pages.prebuilt(legend()),
        on_time=_on_time(pack),
        volumes=_volumes(pack),
        timeliness=_timeliness(pack),
        missed=_missed(pack),
        brief=_return_brief(pack),
        feedback=_feedback(pack),
    )
