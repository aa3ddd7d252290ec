"""People sign in through their organisation's OpenID provider (docs/operations.md, "Sign-in"): a real provider
started by the tests, every attack on the token, and every action naming the person."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from harness.identity import AUDIENCE, IdentityProvider, person_token, signed_in_settings
from tests.api.cases import CASES, attempt
from tests.conftest import auth, this_month
from tests.contract import ContractClient
from val.app import create_app
from val.audit.models import AuditEvent
from val.auth import oidc
from val.auth.roles import Role
from val.cli import main
from val.db.session import unit_of_work
from val.lifecycle.subject_access import subject_access

# The test client speaks to the app directly; every request comes from this address.
CLIENT = "127.0.0.1"


@pytest.fixture
def people(identity_provider: IdentityProvider):
    """Add a person to the provider (fresh subject each test) and return their subject."""

    def add(role_values=("VAL.Coordinator",), name="Alice Smith", **claims) -> str:
        subject = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}"
        identity_provider.add_person(
            subject, name=name, email=f"{subject}@force.example", roles=list(role_values), **claims
        )
        return subject

    return add


@pytest.fixture
def person_client(sign_in_app):
    return sign_in_app.test_client()


def test_a_person_signs_in_works_a_case_and_every_record_names_them(
    person_client, identity_provider, people, submit, database, sign_in_app
):
    subject = people(name="Alice Smith")
    token = identity_provider.sign_in(subject)
    case = submit()
    owned = person_client.patch(f"{CASES}/{case['id']}", json={"owner": "me"}, headers=auth(token))
    assert owned.status_code == 200, owned.get_json()
    assert owned.get_json()["owner"] == "Alice Smith"
    noted = person_client.post(
        f"{CASES}/{case['id']}/notes", json={"text": "Called back."}, headers=auth(token)
    )
    assert noted.status_code == 201 and noted.get_json()["author"] == "Alice Smith"
    assert attempt(person_client, token, case["id"], "reached").status_code == 201

    # A second sign-in is the same person: ownership follows them.
    again = identity_provider.sign_in(subject)
    assert again != token
    mine = person_client.get(f"{CASES}?owner=me", headers=auth(again)).get_json()["items"]
    assert [c["id"] for c in mine] == [case["id"]]

    timeline = person_client.get(f"{CASES}/{case['id']}/timeline", headers=auth(again)).get_json()
    actors = {entry.get("actor") for entry in timeline["items"]}
    assert "Alice Smith" in actors, timeline
    admin = person_token(identity_provider, "admin")
    trail = person_client.get(f"/api/v1/audit-events?entity_id={case['id']}", headers=auth(admin)).get_json()
    by_alice = {event["action"] for event in trail["items"] if event["actor"] == "Alice Smith"}
    assert {"case.read", "case.updated", "case.note_added", "case.timeline_read"} <= by_alice, trail["items"]
    with unit_of_work(database) as session:
        export = subject_access(session, _admin(session), uuid.UUID(case["id"]))
    readers = {entry["who"] for entry in export["cases"][0]["access_log"]}
    assert "Alice Smith" in readers, export["cases"][0]["access_log"]


def _admin(session):
    from val.auth.service import system_principal

    return system_principal(session, "cli:tests", Role.ADMIN)


def test_forged_and_malformed_tokens_are_refused_without_echoing_them(person_client, identity_provider):
    now = int(time.time())
    bad_issuer, too_soon, lacking, algorithm = (
        "from another issuer",
        "not valid yet",
        "lacks a claim",
        "signing algorithm is not one VAL accepts",
    )
    attacks = {
        "wrong audience": (identity_provider.forge(aud="another-api"), "meant for another audience"),
        "wrong issuer": (identity_provider.forge(iss="https://login.example.net/other"), bad_issuer),
        "another tenant": (identity_provider.forge(iss=identity_provider.issuer + "/other/v2.0"), bad_issuer),
        "expired": (identity_provider.forge(iat=now - 7200, exp=now - 3600), "has expired"),
        "not yet valid": (identity_provider.forge(nbf=now + 3600), too_soon),
        "issued in the future": (identity_provider.forge(iat=now + 3600, exp=now + 7200), too_soon),
        "no expiry": (identity_provider.forge(exp=None), lacking),
        "no subject": (identity_provider.forge(sub=None), lacking),
        "alg none": (_unsigned(identity_provider), algorithm),
        "HS256 keyed with the public key": (_hs256_with_public_key(identity_provider), algorithm),
        "unknown key id": (identity_provider.forge(headers={"kid": "not-published"}), "does not publish"),
        "tampered": (_tampered(identity_provider.forge()), "signature does not verify"),
        "oversized": (identity_provider.forge(padding="x" * oidc.MAX_TOKEN_BYTES), "larger than VAL accepts"),
        "malformed": ("eyJhbGciOi.not-json.at-all", "not a well-formed JWT"),
    }
    for attack, (token, reason) in attacks.items():
        answer = person_client.get(CASES, headers=auth(token))
        assert answer.status_code == 401, (attack, answer.get_json())
        assert answer.mimetype == "application/problem+json", attack
        assert reason in answer.get_json()["detail"], (attack, answer.get_json()["detail"])
        said = answer.get_data(as_text=True)
        assert not any(len(part) > 8 and part in said for part in token.split(".")), attack


def test_refused_tokens_count_against_the_failed_auth_throttle(person_client, identity_provider, people):
    forged = identity_provider.forge(aud="another-api")
    answers = [person_client.get(CASES, headers=auth(forged)).status_code for _ in range(25)]
    assert answers[0] == 401 and answers[-1] == 429
    # A genuine person from the same address is still let in.
    token = identity_provider.sign_in(people())
    assert person_client.get(CASES, headers=auth(token)).status_code == 200


class Clock:
    """The key cache's clock, moved by the test: a minute passes at once."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _clocked_keys(app, provider: IdentityProvider) -> Clock:
    clock = Clock()
    app.extensions["val_sign_in"].verifier.keys = oidc.IssuerKeys(provider.issuer, clock=clock)
    return clock


def test_a_new_key_at_the_provider_is_taken_without_a_restart(person_client, identity_provider, sign_in_app):
    clock = _clocked_keys(sign_in_app, identity_provider)
    assert person_client.get(CASES, headers=auth(identity_provider.forge())).status_code == 200
    identity_provider.rotate()
    try:
        rotated = identity_provider.forge()
        # Within the minute of the last fetch, an unknown key id is refused without asking the provider again;
        # a provider publishes a new key before it signs with it (Entra ID, weeks ahead), and the hourly
        # refresh finds it first.
        assert person_client.get(CASES, headers=auth(rotated)).status_code == 401
        clock.now += oidc.REFETCH_SECONDS
        assert person_client.get(CASES, headers=auth(rotated)).status_code == 200
    finally:
        identity_provider.rotate()


def test_keys_the_provider_withdrew_stop_working_at_the_hourly_refresh(
    person_client, identity_provider, sign_in_app
):
    clock = _clocked_keys(sign_in_app, identity_provider)
    old = identity_provider.forge()
    assert person_client.get(CASES, headers=auth(old)).status_code == 200
    identity_provider.rotate()
    assert person_client.get(CASES, headers=auth(old)).status_code == 200
    clock.now += oidc.KEYS_MAX_AGE_SECONDS + 1
    assert person_client.get(CASES, headers=auth(old)).status_code == 401
    assert person_client.get(CASES, headers=auth(identity_provider.forge())).status_code == 200


def test_random_key_ids_fetch_the_keys_at_most_once_a_minute(person_client, identity_provider, sign_in_app):
    clock = _clocked_keys(sign_in_app, identity_provider)
    assert person_client.get(CASES, headers=auth(identity_provider.forge())).status_code == 200
    before = identity_provider.key_fetches
    for _ in range(100):
        clock.now += 0.5  # 100 tries over 50 seconds
        token = identity_provider.forge(headers={"kid": secrets.token_hex(8)})
        assert person_client.get(CASES, headers=auth(token)).status_code in (401, 429)
    assert identity_provider.key_fetches - before <= 1


def test_provider_down_cached_keys_work_and_without_them_sign_in_is_unavailable(
    person_client, identity_provider, database
):
    token = identity_provider.forge()
    assert person_client.get(CASES, headers=auth(token)).status_code == 200
    with identity_provider.outage():
        assert person_client.get(CASES, headers=auth(token)).status_code == 200
        fresh = create_app(overrides={"database_url": database.url, **signed_in_settings(identity_provider)})
        fresh.test_client_class = ContractClient
        try:
            down = fresh.test_client().get(CASES, headers=auth(token))
        finally:
            fresh.extensions["val"].db.dispose()
    assert down.status_code == 503 and down.mimetype == "application/problem+json"
    assert down.headers["Retry-After"]


def test_a_disabled_person_is_refused_at_once_and_can_be_enabled(
    person_client, identity_provider, people, database, monkeypatch
):
    subject = people(name="Dana Leaver")
    token = identity_provider.sign_in(subject)
    assert person_client.get(CASES, headers=auth(token)).status_code == 200
    monkeypatch.setenv("VAL_DATABASE_URL", database.url)
    runner = CliRunner()
    listed = runner.invoke(main, ["people", "list"], catch_exceptions=False)
    assert (
        listed.exit_code == 0
        and f"{subject}\tDana Leaver\t{subject}@force.example\tcoordinator\tactive" in listed.output
    )
    assert runner.invoke(main, ["people", "disable", subject], catch_exceptions=False).exit_code == 0
    refused = person_client.get(CASES, headers=auth(token))  # the same, still valid, token
    assert refused.status_code == 403 and "disabled" in refused.get_json()["detail"]
    assert "disabled" in runner.invoke(main, ["people", "list"], catch_exceptions=False).output
    assert runner.invoke(main, ["people", "enable", subject], catch_exceptions=False).exit_code == 0
    assert person_client.get(CASES, headers=auth(token)).status_code == 200
    unknown = runner.invoke(main, ["people", "disable", "nobody-here"])
    assert unknown.exit_code != 0 and "no person" in unknown.output
    with unit_of_work(database) as session:
        actions = set(
            session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id.in_([subject, "list"])))
        )
    assert {"admin.person_disabled", "admin.person_enabled", "admin.people_listed"} <= actions


def test_roles_decide_what_a_person_may_do(person_client, identity_provider, people):
    nobody = identity_provider.sign_in(people(role_values=("Staff",)))
    refused = person_client.get(CASES, headers=auth(nobody))
    assert refused.status_code == 403 and "no VAL role" in refused.get_json()["detail"]
    both = identity_provider.sign_in(people(role_values=("VAL.Coordinator", "VAL.Board")))
    refused = person_client.get(CASES, headers=auth(both))
    assert refused.status_code == 403 and "more than one VAL role" in refused.get_json()["detail"]
    board = identity_provider.sign_in(people(role_values=("VAL.Board",), name="Bea Board"))
    assert person_client.get(CASES, headers=auth(board)).status_code == 403
    assert (
        person_client.get(f"/api/v1/board/compliance-summary?{this_month()}", headers=auth(board)).status_code
        == 200
    )


def test_keyed_roles_stay_beside_sign_in_and_person_keys_can_be_switched_off(
    database, identity_provider, make_key, referral_body
):
    coordinator_key = make_key(Role.COORDINATOR)
    intake_key = make_key(Role.INTAKE)
    app = create_app(
        overrides={"database_url": database.url, **signed_in_settings(identity_provider, person_keys=False)}
    )
    app.test_client_class = ContractClient
    try:
        client = app.test_client()
        refused = client.get(CASES, headers=auth(coordinator_key))
        assert refused.status_code == 401 and "sign in" in refused.get_json()["detail"]
        sent = client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake_key))
        assert sent.status_code == 201
    finally:
        app.extensions["val"].db.dispose()


def _part(value: dict | bytes) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _admin_claims(provider: IdentityProvider) -> dict:
    now = int(time.time())
    return {
        "iss": provider.issuer,
        "aud": AUDIENCE,
        "sub": "x",
        "iat": now,
        "exp": now + 600,
        "roles": ["VAL.Admin"],
    }


def _unsigned(provider: IdentityProvider) -> str:
    return f"{_part({'alg': 'none', 'typ': 'JWT', 'kid': provider.kid})}.{_part(_admin_claims(provider))}."


def _hs256_with_public_key(provider: IdentityProvider) -> str:
    """Signed with HMAC keyed by the provider's public key, as a verifier that trusts the header's alg checks."""
    signed = f"{_part({'alg': 'HS256', 'typ': 'JWT', 'kid': provider.kid})}.{_part(_admin_claims(provider))}"
    signature = hmac.new(provider.public_pem(), signed.encode(), hashlib.sha256).digest()
    return f"{signed}.{_part(signature)}"


def _tampered(token: str) -> str:
    import base64
    import json

    header, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["roles"] = ["VAL.Admin"]
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{changed}.{signature}"


def test_the_contract_and_the_docs_offer_sign_in_where_people_may_call(
    person_client, identity_provider, client
):
    spec = person_client.get("/openapi.json").get_json()
    scheme = spec["components"]["securitySchemes"]["openid"]
    assert scheme == {
        "type": "openIdConnect",
        "openIdConnectUrl": identity_provider.issuer + "/.well-known/openid-configuration",
        "description": scheme["description"],
    }
    schemes = {
        (method, path): [name for requirement in operation["security"] for name in requirement]
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "x-roles" in operation
    }
    assert schemes[("post", "/api/v1/referrals")] == ["bearer", "openid"]  # intake systems and coordinators
    assert schemes[("get", "/api/v1/board/compliance-summary")] == ["bearer", "openid"]
    assert schemes[("get", "/api/v1/provider/referrals")] == ["bearer"]  # providers are machines
    docs = person_client.get("/docs")
    page = docs.get_data(as_text=True)
    assert '"usePkceWithAuthorizationCodeGrant": true' in page and f'"clientId": "{AUDIENCE}"' in page
    assert "initOAuth" in page and "oauth2-redirect.html" in page
    assert identity_provider.issuer in docs.headers["Content-Security-Policy"]
    assert person_client.get("/docs/assets/oauth2-redirect.html").status_code == 200

    keys_only = client.get("/openapi.json").get_json()
    # Without sign-in: keys, and the token GOV.UK Notify's receipts carry.
    assert set(keys_only["components"]["securitySchemes"]) == {"bearer", "notify_receipts"}
    assert "var overrides = {};" in client.get("/docs").get_data(as_text=True)
