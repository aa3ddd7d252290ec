"""What the pages a victim uses share (self-referral, feedback): their layout, their script (`/public/exit.js`,
the quick exit) and their headers. Nothing on them comes from elsewhere, nothing is cached, no search engine
lists them, and no cookie is set."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from flask import Blueprint, Response

from val.http.context import services
from val.pages import render

SERVICE_NAME = "Victim Advice Line"
VICTIM_PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

blp = Blueprint("public_pages", __name__)


@blp.get("/public/exit.js")
def exit_script() -> Response:
    script = files("val.pages").joinpath("templates/exit.js").read_text(encoding="utf-8")
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def victim_page(template: str, status: int = 200, **context: Any) -> Response:
    context.setdefault("errors", [])
    exit_url = services().settings.quick_exit_url
    html = render(template, service_name=SERVICE_NAME, exit_url=exit_url, **context)
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = VICTIM_PAGE_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
