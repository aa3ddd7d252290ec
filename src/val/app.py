"""create_app: wiring only — settings, database, rules, API, blueprints, error handlers, request logging."""

from __future__ import annotations

import http
import logging
import re
import time
import traceback
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

import val.models  # noqa: F401  — every mapped class, before the first query
from val.auth.apidoc import declare_sign_in, docs_policy, swagger_ui_config
from val.auth.oidc import SignIn, sign_in_for
from val.auth.throttle import FailedAuthThrottle, storage_for
from val.cases.match_keys import keyer_for
from val.compliance.schemas import AGENCIES, EVENT_TYPES
from val.db.session import Database, database_unreachable
from val.errors import DomainError
from val.http.blueprint import ValRequest
from val.http.context import (
    Services,
    close_request_session,
    commit_request,
    database_unavailable_response,
)
from val.http.enums import name_enums
from val.http.health import background_checks, swagger_assets
from val.http.problems import PROBLEM_MEDIA_TYPE, ProblemSchema, domain_problem, problem_for_http_exception
from val.logs import configure_logging
from val.metrics.instruments import record_request
from val.referrals.schemas import configure_policing_areas
from val.rulebook import Rulebook, load_rulebook
from val.settings import Settings, load_settings
from val.webhooks.endpoints import signing_secrets_open
from val.webhooks.payloads import webhook_envelopes, webhooks_section

log = logging.getLogger("val.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class ProblemApi(Api):
    """flask-smorest, answering every error with RFC 9457 problem+json — and documenting it so: every error
    response of every operation is a Problem, as `application/problem+json`."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        return problem_for_http_exception(error)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {
            "description": "Any other error, as RFC 9457 problem details",
            "schema": self.ERROR_SCHEMA,
        }
        prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def create_app(overrides: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    settings = settings or load_settings(overrides=overrides)
    configure_logging(settings.log_level)
    configure_policing_areas(settings.policing_areas)

    sign_in = sign_in_for(settings)
    app = Flask("val")
    app.request_class = ValRequest
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE="VAL — Victim Advice Line",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        # Served from flask-swagger-ui's copy of Swagger UI 5, not a CDN: police networks often cannot reach one.
        OPENAPI_SWAGGER_UI_URL="/docs/assets/",
        OPENAPI_SWAGGER_UI_CONFIG=swagger_ui_config(sign_in),
        API_SPEC_OPTIONS={
            "components": {
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    # GOV.UK Notify's receipts carry the token set in Notify's callback settings.
                    "notify_receipts": {"type": "http", "scheme": "bearer"},
                }
            },
            "security": [{"bearer": []}],
        },
    )
    app.extensions["val"] = Services(
        settings=settings,
        db=Database(settings.effective_database_url, pool_size=4),
        rulebook=load_rulebook(settings.config_dir),
        match_keyer=keyer_for(settings),
    )
    database = app.extensions["val"].db
    app.extensions["val"].readiness_checks["signing_secrets"] = lambda: signing_secrets_open(
        settings, database
    )
    app.extensions["val_readiness"] = background_checks(app.extensions["val"])
    app.extensions["val_sign_in"] = sign_in
    app.extensions["val_docs_policy"] = docs_policy(sign_in)
    _add_throttles(app, settings)
    if settings.trusted_proxies:
        # The client the throttle counts and the logs name is the one the trusted proxies saw.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies
        )
    _configure_closed_lists(app.extensions["val"].rulebook)
    _document(_register_blueprints(app), sign_in)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.before_request(_start_request)
    app.teardown_request(close_request_session)
    app.after_request(_log_request)
    app.after_request(_security_headers)
    # Registered last, so it runs first: the request's unit of work ends before the response is logged.
    app.after_request(commit_request)
    return app


def _add_throttles(app: Flask, settings: Settings) -> None:
    """Failed authentications, and self-referrals (the same moving window, by address, with a limit of their
    own), counted where every API process shares the count."""
    engine = app.extensions["val"].db.engine
    storage = storage_for(settings.effective_broker_url)
    app.extensions["val_auth_throttle"] = FailedAuthThrottle(
        storage, settings.auth_failures_per_minute, engine=engine
    )
    app.extensions["val_self_referral_throttle"] = FailedAuthThrottle(
        storage, settings.self_referrals_per_minute, engine=engine
    )


def _configure_closed_lists(rulebook: Rulebook) -> None:
    """Lists that come from the rulebook: validated, and documented as enums (so before the blueprints)."""
    catalogue = rulebook.catalogue
    EVENT_TYPES.configure(catalogue.event_types)
    AGENCIES.configure(sorted({rule.agency for rule in catalogue.points}))


def _document(api: Api, sign_in: SignIn | None) -> None:
    """The OpenAPI document as generators read it: every webhook VAL sends, every closed list named, sign-in
    where people may call."""
    for name, envelope in webhook_envelopes().items():
        api.spec.components.schema(name, schema=envelope)
    api.spec.options["webhooks"] = webhooks_section()
    name_enums(api.spec)
    if sign_in is not None:
        declare_sign_in(api.spec, sign_in)


def _register_blueprints(app: Flask) -> Api:
    from val.alerts.api import blp as alerts_blp
    from val.audit.api import blp as audit_blp
    from val.board_pack.api import blp as board_pack_blp
    from val.casework import api_casework, api_messages  # noqa: F401  — add their routes to the cases blueprint
    from val.casework.api import blp as cases_blp
    from val.commissioning.api import blp as commissioning_blp
    from val.compliance.api import blp as compliance_blp
    from val.feedback.api import blp as feedback_blp
    from val.feedback.pages import blp as feedback_pages_blp
    from val.http.health import blp as health_blp
    from val.http.public_pages import blp as public_pages_blp
    from val.messages.api import blp as notify_blp
    from val.metrics.api import blp as metrics_blp
    from val.oruk.api import blp as oruk_blp
    from val.provider_portal import api_integration  # noqa: F401  — adds its routes to the provider blueprint
    from val.provider_portal.api import blp as provider_blp
    from val.referrals.api import blp as referrals_blp
    from val.routing.api import blp as routing_blp
    from val.self_referral.pages import blp as self_referral_blp
    from val.webhooks.api import blp as webhooks_blp

    app.register_blueprint(health_blp)
    app.register_blueprint(metrics_blp)
    app.register_blueprint(public_pages_blp)
    app.register_blueprint(feedback_pages_blp)
    app.register_blueprint(self_referral_blp)
    app.register_blueprint(swagger_assets)
    api = ProblemApi(app)
    for blueprint in (
        referrals_blp,
        cases_blp,
        compliance_blp,
        routing_blp,
        alerts_blp,
        provider_blp,
        webhooks_blp,
        audit_blp,
        oruk_blp,
        commissioning_blp,
        board_pack_blp,
        notify_blp,
        feedback_blp,
    ):
        api.register_blueprint(blueprint)
    return api


def _domain_error(error: DomainError) -> Response:
    return domain_problem(error)


def _unexpected_error(error: Exception) -> Response:
    original = getattr(error, "original_exception", None)  # raised outside the view, e.g. at the commit
    if isinstance(error, HTTPException) and not database_unreachable(original):
        return problem_for_http_exception(error)
    cause = original if database_unreachable(original) else error
    if database_unreachable(cause):
        # The database dropped the connection or refused a new one (a restart, a failover). The request's unit
        # of work was rolled back, so the same request is safe to send again once the server is back.
        log.warning(
            "database unreachable", extra={"error_type": type(getattr(cause, "orig", cause)).__name__}
        )
        return database_unavailable_response()
    # The type and where it was raised, never the message: messages can quote the values that failed.
    frame = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}" if frame else None
    log.error("unhandled error", extra={"error_type": type(error).__name__, "where": where})
    return problem_for_http_exception(InternalServerError("Something went wrong; nothing was half-written."))


# Every other HTML page VAL serves (the Board pack) is self-contained: its own styles and inline SVG, nothing
# to run and nothing to fetch.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def _security_headers(response: Response) -> Response:
    """Nothing VAL answers may be cached (API answers carry personal data), sniffed into another type, framed
    or named in another site's Referer; every HTML page runs and loads only what it must; behind TLS, browsers
    are told to use nothing else."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
    if request.path.startswith("/docs"):
        response.headers["Content-Security-Policy"] = current_app.extensions["val_docs_policy"]
    elif response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = PAGE_POLICY  # a victim's pages set their own
    if request.is_secure:  # TLS here, or at a trusted proxy that said so (X-Forwarded-Proto)
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def _start_request() -> None:
    supplied = request.headers.get("X-Request-Id", "")
    g.request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _log_request(response: Response) -> Response:
    principal = g.get("principal")
    record_request(
        request.url_rule.rule if request.url_rule else None,
        request.method,
        response.status_code,
        time.perf_counter() - g.get("started", time.perf_counter()),
    )
    log.info(
        "request",
        extra={
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
            "credential_id": str(principal.credential_id) if principal else None,
            # A signed-in person's id is theirs across sign-ins; a key's is the key's.
            "signed_in": principal.person if principal else None,
        },
    )
    response.headers["X-Request-Id"] = g.get("request_id", "")
    return response
