"""Bearer tokens from the organisation's OpenID provider (Entra ID, Keycloak), verified with PyJWT against the
keys the issuer publishes (docs/operations.md, "Sign-in").

The keys are found through the issuer's discovery document and cached. A token signed with a key not yet
cached fetches them again, but no more than once a minute, so random key ids cannot make VAL hammer the
provider; while the provider is unreachable the cached keys keep working, and with none cached sign-in is
unavailable (503), never "let in"."""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests

from val.auth.claims import parse_role_values
from val.auth.roles import Role
from val.settings import Settings, SettingsError

log = logging.getLogger(__name__)

# Asymmetric algorithms only: never `none`, never HS* (a verifier keyed with the public key would accept a token
# anyone can sign with it).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
# Entra ID tokens with many app roles stay under 8 KB; anything this large is refused before it is parsed.
MAX_TOKEN_BYTES = 16384
LEEWAY_SECONDS = 30
# An unknown key id fetches the keys again at most this often; with no keys at all, retries come sooner.
REFETCH_SECONDS = 60.0
RETRY_WHEN_EMPTY_SECONDS = 5.0
# Cached keys are refreshed this often (a key the provider withdrew stops working), kept if the refresh fails.
KEYS_MAX_AGE_SECONDS = 3600.0
FETCH_TIMEOUT_SECONDS = 5.0


class TokenRefused(Exception):
    """The token is not one VAL accepts (401). The reason never quotes the token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SignInUnavailable(Exception):
    """The issuer's keys cannot be had and none are cached (503)."""


def looks_like_token(bearer: str) -> bool:
    """A JWT (three base64url parts, a JSON header) rather than one of VAL's keys (`val_…`)."""
    return bearer.startswith("ey") and bearer.count(".") == 2


def check_issuer_url(url: str) -> None:
    """An issuer is https://, or http:// on loopback only (a test provider on this machine)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _loopback(parts.hostname):
        return
    raise ValueError("the OpenID issuer must be an https:// URL (http:// only on loopback)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _get_json(url: str) -> Any:
    check_issuer_url(url)  # the discovery document could point the keys anywhere
    response = requests.get(url, timeout=FETCH_TIMEOUT_SECONDS, allow_redirects=False)
    response.raise_for_status()
    return response.json()


class IssuerKeys:
    """The issuer's signing keys, by key id."""

    def __init__(
        self,
        issuer: str,
        *,
        fetch_json: Callable[[str], Any] = _get_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self._fetch_json = fetch_json
        self._clock = clock
        self._lock = threading.Lock()
        self._jwks_uri: str | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._all: tuple[jwt.PyJWK, ...] = ()
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self.fetches = 0  # key-set fetches attempted (the metrics and the tests read it)

    def key(self, kid: str | None) -> jwt.PyJWK:
        """The key named `kid`; a token that names none may use the issuer's only key (RFC 7515 lets a token
        leave out its key id when there is no doubt which key signed it)."""
        found = self._find(kid)
        if found is not None and not self._stale():
            return found
        with self._lock:
            if (self._find(kid) is None or self._stale()) and self._may_fetch():
                self._refresh()
            found = self._find(kid)
        if found is not None:
            return found
        if not self._all:
            raise SignInUnavailable
        if kid is None:
            raise TokenRefused("it names no signing key and its issuer publishes several")
        raise TokenRefused("it is signed with a key its issuer does not publish")

    def _find(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is not None:
            return self._keys.get(kid)
        every = self._all
        return every[0] if len(every) == 1 else None

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > KEYS_MAX_AGE_SECONDS

    def _may_fetch(self) -> bool:
        if self._attempted_at is None:
            return True
        wait = REFETCH_SECONDS if self._all else RETRY_WHEN_EMPTY_SECONDS
        return self._clock() - self._attempted_at >= wait

    def _refresh(self) -> None:
        self._attempted_at = self._clock()
        self.fetches += 1
        try:
            if self._jwks_uri is None:
                self._jwks_uri = self._discover()
            keyset = jwt.PyJWKSet.from_dict(self._fetch_json(self._jwks_uri))
        except (requests.RequestException, ValueError, TypeError, KeyError, jwt.PyJWTError) as error:
            # The type only: the provider's answer is not VAL's to log.
            log.warning(
                "identity provider keys could not be fetched", extra={"error_type": type(error).__name__}
            )
            return
        self._all = tuple(keyset.keys)
        self._keys = {key.key_id: key for key in self._all if key.key_id}
        self._fetched_at = self._clock()

    def _discover(self) -> str:
        document = self._fetch_json(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
        if str(document["issuer"]).rstrip("/") != self.issuer.rstrip("/"):
            raise ValueError("the discovery document names another issuer")
        return str(document["jwks_uri"])


class TokenVerifier:
    """Checks a token's signature, issuer, audience and times; answers its claims."""

    def __init__(self, issuer: str, audiences: tuple[str, ...], keys: IssuerKeys | None = None) -> None:
        self.issuer = issuer
        self.audiences = audiences
        self.keys = keys or IssuerKeys(issuer)

    def verify(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenRefused("it is larger than VAL accepts")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRefused("it is not a well-formed JWT") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS:
            raise TokenRefused("its signing algorithm is not one VAL accepts")
        if kid is not None and (not isinstance(kid, str) or not 0 < len(kid) <= 200):
            raise TokenRefused("its key id is not usable")
        key = self.keys.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                audience=list(self.audiences),
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise TokenRefused(_reason(error)) from None
        except (ValueError, TypeError):  # a key of another type than the algorithm named
            raise TokenRefused("its signature does not verify") from None
        if not isinstance(claims.get("sub"), str) or not claims["sub"] or len(claims["sub"]) > 255:
            raise TokenRefused("its subject is not usable")
        return claims


_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "it has expired"),
    (jwt.ImmatureSignatureError, "it is not valid yet"),
    (jwt.InvalidAudienceError, "it is meant for another audience"),
    (jwt.InvalidIssuerError, "it is from another issuer"),
    (jwt.InvalidSignatureError, "its signature does not verify"),
    (jwt.MissingRequiredClaimError, "it lacks a claim VAL requires"),
)


def _reason(error: jwt.PyJWTError) -> str:
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return reason
    return "it could not be verified"


@dataclass(frozen=True)
class SignIn:
    """A deployment's sign-in through its OpenID provider: how tokens are verified and read."""

    verifier: TokenVerifier
    roles_claim: str
    role_values: dict[str, Role]
    docs_client_id: str
    docs_scopes: tuple[str, ...]
    docs_token: str

    @property
    def issuer(self) -> str:
        return self.verifier.issuer


def sign_in_for(settings: Settings) -> SignIn | None:
    """None when no issuer is configured (keys only); a malformed setting stops the service from starting."""
    if not settings.oidc_issuer:
        return None
    try:
        check_issuer_url(settings.oidc_issuer)
        role_values = parse_role_values(settings.oidc_role_values)
    except ValueError as error:
        raise SettingsError(f"sign-in: {error}") from None
    if settings.oidc_docs_token not in ("access_token", "id_token"):
        raise SettingsError("sign-in: oidc_docs_token is access_token or id_token")
    if not settings.oidc_roles_claim.strip():
        raise SettingsError("sign-in: oidc_roles_claim is empty")
    audiences = tuple(a.strip() for a in settings.oidc_audience.split(",") if a.strip())
    return SignIn(
        verifier=TokenVerifier(settings.oidc_issuer, audiences),
        roles_claim=settings.oidc_roles_claim.strip(),
        role_values=role_values,
        docs_client_id=settings.oidc_docs_client_id or audiences[0],
        docs_scopes=tuple(settings.oidc_docs_scopes.split()),
        docs_token=settings.oidc_docs_token,
    )
