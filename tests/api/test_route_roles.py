"""Least privilege, checked over the whole URL map: every route but health and docs names the roles that may
call it, and a new route that forgets to is caught here rather than in production."""

from __future__ import annotations

import pytest

from val.auth.roles import Role

PUBLIC = {
    "/health",
    "/ready",
    "/docs",
    "/openapi.json",
    "/docs/assets/<path:filename>",
    "/static/<path:filename>",
    # The directory of commissioned services, published for other agencies (no personal data).
    "/api/v1/oruk/services",
    "/api/v1/oruk/services/<string:service_id>",
    # What each error's `type` means (no data at all).
    "/problems",
    "/problems/<slug>",
    # GOV.UK Notify's delivery receipts: Notify's own bearer token (set in its callback settings), not a role.
    "/api/v1/notify/receipts",
    # The victim's own pages: self-referral, the feedback page its one-time link opens, their quick-exit script.
    "/self-referral",
    "/feedback/<token>",
    "/public/exit.js",
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            handler = getattr(view_class, method.lower(), None) if view_class else view
            yield rule.rule, method, handler


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_route_but_health_and_docs_declares_its_roles(app):
    undeclared, public = [], set()
    for path, method, handler in _routes(app):
        roles = getattr(handler, "_val_roles", None)
        if path in PUBLIC:
            public.add(path)
            assert roles is None, f"{method} {path} is public and must not pretend otherwise"
        elif not roles or not roles <= set(Role):
            undeclared.append(f"{method} {path}")
    assert undeclared == []
    assert public <= PUBLIC and {"/health", "/ready", "/docs", "/openapi.json"} <= public


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_board_and_providers_reach_only_their_own_routes(app):
    reach = {
        role: {f"{m} {p}" for p, m, h in _routes(app) if role in (getattr(h, "_val_roles", None) or ())}
        for role in (Role.BOARD, Role.PROVIDER)
    }
    assert reach[Role.BOARD] and all("/board/" in route for route in reach[Role.BOARD])
    assert reach[Role.PROVIDER] and all("/api/v1/provider/" in route for route in reach[Role.PROVIDER])
