"""Liveness, readiness and the docs' assets: the only endpoints (with the docs) that need no credential."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from kombu.connection import Connection
from swagger_ui_bundle import swagger_ui_path

from val.db.session import reachable
from val.http.context import services

blp = Blueprint("health", __name__)
# Swagger UI's own files, for /docs (open, like the docs themselves).
swagger_assets = Blueprint(
    "swagger_assets", __name__, static_folder=swagger_ui_path, static_url_path="/docs/assets"
)


@blp.get("/health")
def health() -> ResponseReturnValue:
    """Liveness: the process answers."""
    return jsonify(status="ok")


@blp.get("/ready")
def ready() -> ResponseReturnValue:
    """Readiness. Without the database nothing works: 503, take this node out. Without the broker or a
    signing key, referrals are still taken (the outbox keeps their webhooks) but webhooks wait: 200,
    `degraded`, with the failing check named, so monitoring raises it and the load balancer keeps the node."""
    svc = services()
    checks = {
        "database": _database_ok(),
        "broker": _broker_ok(svc.settings.effective_broker_url),
        # Checks of features above this layer, given by the app (e.g. that every signing secret opens).
        **{name: check() for name, check in svc.readiness_checks.items()},
    }
    if not checks["database"]:
        return jsonify(status="unavailable", checks=checks), 503
    return jsonify(status="ok" if all(checks.values()) else "degraded", checks=checks), 200


def _database_ok() -> bool:
    return reachable(services().db)


def _broker_ok(url: str) -> bool:
    try:
        with Connection(url, connect_timeout=2) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False
