"""Liveness, readiness and the docs' assets: the only endpoints (with the docs) that need no credential."""

from __future__ import annotations

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from kombu.connection import Connection

from val.db.session import reachable
from val.http.context import Services
from val.http.problem_types import described, every_type
from val.http.problems import Problem
from val.http.readiness import BackgroundChecks
from val.pages import render

blp = Blueprint("health", __name__)
# Swagger UI's own files, for /docs (open, like the docs themselves), and the page that starts it (found before
# flask-smorest's own: it also starts sign-in when VAL is configured for it).
# Swagger UI 5 (from flask-swagger-ui's copy of swagger-ui-dist): it reads OpenAPI 3.1.
SWAGGER_UI_PATH = Path(flask_swagger_ui.__file__).parent / "dist"
swagger_assets = Blueprint(
    "swagger_assets",
    __name__,
    static_folder=SWAGGER_UI_PATH,
    static_url_path="/docs/assets",
    template_folder="templates",
)


@blp.get("/health")
def health() -> ResponseReturnValue:
    """Liveness: the process answers."""
    return jsonify(status="ok")


@blp.get("/problems")
@blp.get("/problems/<slug>")
def problems(slug: str | None = None) -> ResponseReturnValue:
    """What each problem type means and what to do (open, like the docs): the page a problem's `type` opens."""
    if slug is None:
        return render("problem.html", heading="Problems VAL answers with", problems=every_type())
    found = described(slug)
    if found is None:
        raise Problem(404, "Not Found", "VAL answers with no problem of this type.")
    return render("problem.html", heading=found.title, problems=[found])


@blp.get("/ready")
def ready() -> ResponseReturnValue:
    """Readiness, at once: the last result of each check run in the background, with its age. Without the
    database nothing works: 503, take this node out. Without the broker or a signing key, referrals are still
    taken (the outbox keeps their webhooks) but webhooks wait: 200, `degraded`, with the failing check named, so
    monitoring raises it and the load balancer keeps the node."""
    readiness: BackgroundChecks = current_app.extensions["val_readiness"]
    readings = readiness.readings()
    checks = {name: reading.ok for name, reading in readings.items()}
    ages = {name: reading.age_seconds for name, reading in readings.items()}
    body = {"checks": checks, "checked_seconds_ago": ages}
    if not checks["database"]:
        return jsonify(status="unavailable", **body), 503
    return jsonify(status="ok" if all(checks.values()) else "degraded", **body), 200


def background_checks(svc: Services) -> BackgroundChecks:
    """The database, the broker, and the checks of features above this layer the app gives (e.g. that every
    signing secret opens), each run in the background every `ready_check_seconds`."""
    interval = svc.settings.ready_check_seconds
    broker_url = svc.settings.effective_broker_url
    return BackgroundChecks(
        {
            "database": lambda: reachable(svc.db),
            "broker": lambda: _broker_ok(broker_url),
            **svc.readiness_checks,
        },
        interval=interval,
        # A check that has not answered for this long is stuck on a server that does not answer: failed.
        stale_after=3 * interval + BROKER_TIMEOUT_SECONDS,
    )


BROKER_TIMEOUT_SECONDS = 2


def _broker_ok(url: str) -> bool:
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:
        return False
