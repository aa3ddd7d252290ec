"""The pages VAL writes for people to read and keep — the compliance report, the commissioner's return, the
Victims Board pack, a subject access export — rendered from Jinja2 templates that share one stylesheet. Every
page is self-contained (no script, no network) and prints on A4. Values are escaped by the templates; charts
arrive as SVG their builders have already escaped (`svg`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("val.pages", "templates"),
        autoescape=True,
        undefined=StrictUndefined,  # a name the page needs and was not given is an error, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def prebuilt(markup: str) -> Markup:
    """Markup built in code (a chart, its legend), every value in it escaped by its builder, placed as it is."""
    return Markup(markup)  # built from escaped parts by VAL's own chart code
