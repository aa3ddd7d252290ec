"""What the OpenAPI document and Swagger UI (/docs) say of sign-in, when VAL is configured for it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from apispec import APISpec

from val.auth.oidc import SignIn
from val.auth.roles import PERSON_ROLES

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})


def declare_sign_in(spec: APISpec, sign_in: SignIn) -> None:
    """Add the OpenID Connect scheme, and on each operation the schemes its roles may use: a key always; a
    sign-in token where a coordinator, the Board or an admin may call it."""
    scheme: dict[str, Any] = {
        "type": "openIdConnect",
        "openIdConnectUrl": sign_in.issuer.rstrip("/") + "/.well-known/openid-configuration",
        "description": "Sign in through your organisation (coordinators, the Board, admins).",
    }
    if sign_in.docs_token != "access_token":
        scheme["x-tokenName"] = (
            sign_in.docs_token
        )  # which token Swagger UI sends (a test provider's id_token)
    spec.components.security_scheme("openid", scheme)
    # apispec keeps the operations registered so far here; every blueprint is registered before this runs.
    for operations in spec._paths.values():
        for method, operation in operations.items():
            roles = operation.get("x-roles") if method in HTTP_METHODS else None
            if roles:
                people_may = any(role in PERSON_ROLES for role in roles)
                operation["security"] = [{"bearer": []}, *([{"openid": []}] if people_may else [])]


def swagger_ui_config(sign_in: SignIn | None) -> dict[str, Any]:
    """Swagger UI's initOAuth options (read by VAL's /docs page): the public client, PKCE, the scopes."""
    if sign_in is None:
        return {}
    return {
        "valSignIn": {
            "clientId": sign_in.docs_client_id,
            "usePkceWithAuthorizationCodeGrant": True,
            "scopes": " ".join(sign_in.docs_scopes),
        },
        "persistAuthorization": False,
    }


def docs_policy(sign_in: SignIn | None) -> str:
    """/docs's Content-Security-Policy. Swagger UI starts itself with an inline script and loads everything else
    from VAL; signing in, it also reads the issuer's discovery document and exchanges the code there."""
    connect = "'self'"
    if sign_in is not None:
        issuer = urlsplit(sign_in.issuer)
        connect += f" {issuer.scheme}://{issuer.netloc}"
    return (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:; connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
