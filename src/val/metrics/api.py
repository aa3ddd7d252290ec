"""`GET /metrics`, for an admin credential (Prometheus sends it as a bearer token)."""

from __future__ import annotations

import os

from flask import Blueprint, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.http.context import request_session
from val.metrics.collector import DatabaseCollector, ProcessCountsWithImports

blp = Blueprint("metrics", __name__)


def _process_registry() -> CollectorRegistry:
    """Every API process's counts: added up from the shared directory under gunicorn, this process's alone
    otherwise."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus-client leaves it untyped
    return registry


@blp.get("/metrics")
@require_roles(Role.ADMIN)
def metrics() -> Response:
    """Prometheus text format: request latency by route, intake by outcome and channel (API or `val import`), deliveries by status, the queue and
    oldest pending delivery per provider, Victims' Code points pending and missed."""
    exposed = CollectorRegistry()
    exposed.register(ProcessCountsWithImports(_process_registry(), request_session()))
    exposed.register(DatabaseCollector(request_session()))
    body = generate_latest(exposed)
    return Response(
        body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Content-Type": CONTENT_TYPE_LATEST}
    )
