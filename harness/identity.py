"""A real OpenID provider for the tests and `make fuzz`: oidc-provider-mock in a thread, with controls a test needs.

People sign in through it with the authorization code flow and PKCE, as Swagger UI does. The controls let a
test act as an attacker who holds what each attack needs (the provider's signing key, to forge one claim at a
time; its public key, for the HS256 confusion), rotate the provider's key, take the provider down, and count
how often the key set was fetched."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import flask
import jwt
import oidc_provider_mock
import requests
import werkzeug.serving

AUDIENCE = "val-api"
ROLE_VALUES = "VAL.Coordinator=coordinator,VAL.Board=board,VAL.Admin=admin"
CALLBACK = "http://localhost/signed-in"


class IdentityProvider:
    def __init__(self) -> None:
        self.app = oidc_provider_mock.app()
        self.down = False
        self.key_fetches = 0
        self._storage: Any = None
        self.app.before_request(self._control)
        self.app.add_url_rule("/_test/storage", "test_storage", self._capture)
        self.server = werkzeug.serving.make_server("localhost", 0, self.app, threaded=True)
        self.issuer = f"http://localhost:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> IdentityProvider:
        self._thread.start()
        requests.get(self.issuer + "/_test/storage", timeout=5).raise_for_status()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _control(self) -> Any:
        if flask.request.path == "/jwks":
            self.key_fetches += 1
        if self.down and not flask.request.path.startswith("/_test"):
            return "identity provider down", 503
        return None

    def _capture(self) -> str:
        # Runs after the provider's own before_request, which put its storage on flask.g.
        self._storage = flask.g.oidc_provider_mock_storage
        return "ok"

    # --- the signing key, as the provider holds it --------------------------------------------------------

    @property
    def kid(self) -> str:
        """The key id the provider publishes its key under (its RFC 7638 thumbprint)."""
        return str(self._storage.jwk.as_dict()["kid"])

    def public_pem(self) -> bytes:
        pem: bytes = self._storage.jwk.as_pem(is_private=False)
        return pem

    def rotate(self) -> None:
        """The provider starts signing with a new key and publishes only that one."""
        self._storage.jwk = type(self._storage.jwk).generate_key(is_private=True)

    @contextmanager
    def outage(self) -> Iterator[None]:
        self.down = True
        try:
            yield
        finally:
            self.down = False

    # --- people and their tokens ----------------------------------------------------------------------------

    def add_person(self, subject: str, **claims: Any) -> None:
        requests.put(f"{self.issuer}/users/{subject}", json=claims, timeout=5).raise_for_status()

    def sign_in(self, subject: str, client_id: str = AUDIENCE) -> str:
        """The ID token a person gets by signing in (authorization code flow with PKCE)."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        authorised = requests.post(
            self.issuer + "/oauth2/authorize",
            params={
                "client_id": client_id,
                "redirect_uri": CALLBACK,
                "response_type": "code",
                "scope": "openid profile email",
                "state": secrets.token_urlsafe(8),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
            data={"sub": subject},
            allow_redirects=False,
            timeout=5,
        )
        code = parse_qs(urlsplit(authorised.headers["Location"]).query)["code"][0]
        tokens = requests.post(
            self.issuer + "/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "client_id": client_id,
                "code_verifier": verifier,
            },
            auth=(client_id, "any"),
            timeout=5,
        )
        tokens.raise_for_status()
        return str(tokens.json()["id_token"])

    def forge(self, *, headers: dict[str, Any] | None = None, **claims: Any) -> str:
        """A token signed with the provider's own key, with every claim VAL requires unless overridden (None
        leaves a claim out): what a single wrong claim gets is then tested on its own."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": "forged-subject",
            "iat": now,
            "exp": now + 600,
            "name": "Forged Person",
            "roles": ["VAL.Coordinator"],
        }
        body.update(claims)
        body = {name: value for name, value in body.items() if value is not None}
        private = self._storage.jwk.as_pem(is_private=True)
        return jwt.encode(body, private, algorithm="RS256", headers={"kid": self.kid, **(headers or {})})


def signed_in_settings(provider: IdentityProvider, **more: Any) -> dict[str, Any]:
    return {
        "oidc_issuer": provider.issuer,
        "oidc_audience": AUDIENCE,
        "oidc_role_values": ROLE_VALUES,
        **more,
    }


# The claim value of each role a person may hold, as ROLE_VALUES maps them.
PERSON_ROLE_VALUES = {"coordinator": "VAL.Coordinator", "board": "VAL.Board", "admin": "VAL.Admin"}


def person_token(provider: IdentityProvider, role: str, subject: str | None = None) -> str:
    """A new person holding `role` signs in; their ID token."""
    subject = subject or f"{role}-{secrets.token_hex(4)}"
    provider.add_person(
        subject,
        name=f"{role.title()} Person",
        email=f"{subject}@force.example",
        roles=[PERSON_ROLE_VALUES[role]],
    )
    return provider.sign_in(subject)
