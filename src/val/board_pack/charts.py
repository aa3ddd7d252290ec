"""Inline SVG charts for the Board pack: each has a title and a text alternative, uses a colour-blind-safe
palette (Okabe–Ito) and scales to the page. Pure: figures in, markup out."""

from __future__ import annotations

import itertools
from html import escape

CURRENT, PREVIOUS = (
    "#0072B2",
    "#E69F00",
)  # blue and orange: distinct for every common colour-vision deficiency
_ids = itertools.count(1)


def _svg_open(width: int, height: int, title: str, desc: str) -> list[str]:
    n = next(_ids)
    return [
        f'<svg role="img" aria-labelledby="chart-{n}-title chart-{n}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{n}-title">{escape(title)}</title>',
        f'<desc id="chart-{n}-desc">{escape(desc)}</desc>',
    ]


def _say(value: float | str) -> str:
    return f"{value * 100:.0f}%" if isinstance(value, float) else str(value)


def rate_lines(title: str, months: list[str], current: list[float | str], previous: list[float | str]) -> str:
    """On-time share by month: this period solid blue, the previous period dashed orange; a withheld or empty
    month is a gap in the line, named in the text alternative."""
    width, height, left, bottom, top = 210, 150, 34, 26, 8
    plot_w, plot_h = width - left - 8, height - bottom - top
    step = plot_w / max(1, len(months) - 1)
    desc = "; ".join(
        f"{month}: {_say(now)} (previous period {_say(before)})"
        for month, now, before in zip(months, current, previous, strict=False)
    )
    parts = _svg_open(width, height, title, desc)
    for tick in (0, 50, 100):
        y = top + plot_h * (1 - tick / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" class="axis end">{tick}%</text>')
    for series, colour, dash in ((previous, PREVIOUS, ' stroke-dasharray="4 3"'), (current, CURRENT, "")):
        run: list[str] = []
        for i, value in enumerate(series):
            if isinstance(value, float):
                run.append(f"{left + i * step:.1f},{top + plot_h * (1 - value):.1f}")
                parts.append(
                    f'<circle cx="{left + i * step:.1f}" cy="{top + plot_h * (1 - value):.1f}" r="2.4" '
                    f'fill="{colour}"/>'
                )
            if not isinstance(value, float) or i == len(series) - 1:
                if len(run) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
                    )
                run = []
    for i, month in enumerate(months):
        if len(months) <= 6 or i % max(1, len(months) // 4) == 0:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{height - 8}" class="axis mid">{escape(month[:3])}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def paired_bars(title: str, labels: list[str], current: list[int | None], previous: list[int | None]) -> str:
    """Two bars per category, this period and the previous one; a withheld count is written, not drawn."""
    label_w, bar_w, row_h = 190, 330, 30
    height = len(labels) * row_h + 10
    width = label_w + bar_w + 60
    largest = max([v for v in [*current, *previous] if isinstance(v, int)] + [1])
    desc = "; ".join(
        f"{label}: {'withheld' if now is None else now} (previous period {'withheld' if before is None else before})"
        for label, now, before in zip(labels, current, previous, strict=True)
    )
    parts = _svg_open(width, height, title, desc)
    for i, (label, now, before) in enumerate(zip(labels, current, previous, strict=True)):
        y = i * row_h + 4
        # Long names are cut to fit the label column; the full name is in the text alternative and the table.
        shown = label if len(label) <= 30 else label[:29].rstrip() + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" class="axis end">{escape(shown)}</text>')
        for offset, value, colour in ((0, now, CURRENT), (12, before, PREVIOUS)):
            if value is None:
                parts.append(f'<text x="{label_w + 4}" y="{y + offset + 9}" class="note">withheld</text>')
                continue
            span = bar_w * value / largest
            parts.append(
                f'<rect x="{label_w}" y="{y + offset}" width="{span:.1f}" height="10" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{label_w + span + 4:.1f}" y="{y + offset + 9}" class="value">{value:,}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts)


def legend() -> str:
    return (
        f'<p class="legend"><span style="background:{CURRENT}"></span>This period '
        f'<span style="background:{PREVIOUS}"></span>Previous period (dashed in line charts)</p>'
    )
