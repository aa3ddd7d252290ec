"""What a verified token's claims give a person: one VAL role, and a name (pure, table-driven)."""

from __future__ import annotations

import pytest

from val.auth.claims import (
    DEFAULT_ROLE_VALUES,
    RoleRefused,
    claim_values,
    identity_of,
    parse_role_values,
    role_of,
)
from val.auth.oidc import check_issuer_url, looks_like_token
from val.auth.roles import Role

ENTRA = parse_role_values("VAL.Coordinator=coordinator,VAL.Board=board,VAL.Admin=admin")
DEFAULTS = parse_role_values(DEFAULT_ROLE_VALUES)


@pytest.mark.parametrize(
    ("claims", "path", "mapping", "role"),
    [
        ({"roles": ["VAL.Coordinator"]}, "roles", ENTRA, Role.COORDINATOR),
        ({"roles": ["VAL.Board", "Staff"]}, "roles", ENTRA, Role.BOARD),
        (
            {"realm_access": {"roles": ["admin", "offline_access"]}},
            "realm_access.roles",
            DEFAULTS,
            Role.ADMIN,
        ),
        ({"scp": "coordinator"}, "scp", DEFAULTS, Role.COORDINATOR),
        ({"roles": ["VAL.Coordinator", "VAL.Coordinator"]}, "roles", ENTRA, Role.COORDINATOR),
    ],
)
def test_the_role_claim_maps_to_one_val_role(claims, path, mapping, role):
    assert role_of(claims, path, mapping) is role


@pytest.mark.parametrize(
    ("claims", "path", "says"),
    [
        ({}, "roles", "no VAL role"),
        ({"roles": ["Staff"]}, "roles", "no VAL role"),
        ({"roles": "VAL.Coordinator"}, "realm_access.roles", "no VAL role"),
        ({"roles": [{"nested": "VAL.Admin"}]}, "roles", "no VAL role"),
        ({"roles": ["VAL.Coordinator", "VAL.Board"]}, "roles", "more than one VAL role (board, coordinator)"),
        ({"roles": ["VAL.Admin", "VAL.Board"]}, "roles", "more than one VAL role (admin, board)"),
    ],
)
def test_no_role_or_two_roles_are_refused(claims, path, says):
    with pytest.raises(RoleRefused, match=says.replace("(", r"\(").replace(")", r"\)")):
        role_of(claims, path, ENTRA)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("VAL.Coordinator", "not claim-value=role"),
        ("x=nobody", "not a VAL role"),
        ("x=intake", "machine role"),
        ("x=provider", "machine role"),
        (" , ", "no claim value"),
    ],
)
def test_role_values_that_cannot_be_read_stop_the_service(text, says):
    with pytest.raises(ValueError, match=says):
        parse_role_values(text)


@pytest.mark.parametrize(
    ("claims", "name", "email"),
    [
        ({"name": "Alice Smith", "email": "a@x.example"}, "Alice Smith", "a@x.example"),
        ({"preferred_username": "alice@force.example"}, "alice@force.example", "alice@force.example"),
        ({"given_name": "Alice", "family_name": "Smith"}, "Alice Smith", None),
        ({"upn": "a.smith@force.example"}, "a.smith@force.example", "a.smith@force.example"),
        ({"name": "  ", "preferred_username": "asmith"}, "asmith", None),
        ({}, "sub-1", None),
    ],
)
def test_a_person_is_named_by_what_their_provider_says(claims, name, email):
    identity = identity_of({"iss": "https://idp.example", "sub": "sub-1", **claims})
    assert (identity.issuer, identity.subject, identity.name, identity.email) == (
        "https://idp.example",
        "sub-1",
        name,
        email,
    )


@pytest.mark.parametrize(
    ("path", "values"),
    [("roles", ["a", "b"]), ("realm_access.roles", ["k"]), ("missing.path", []), ("scp", ["x", "y"])],
)
def test_claim_values_follow_a_dotted_path(path, values):
    claims = {"roles": ["a", "b", 3], "realm_access": {"roles": ["k"]}, "scp": "x y"}
    assert claim_values(claims, path) == values


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://login.microsoftonline.com/tenant/v2.0", True),
        ("https://keycloak.force.example/realms/val", True),
        ("http://localhost:8080", True),
        ("http://127.0.0.1:9000/realms/val", True),
        ("http://[::1]:9000", True),
        ("http://idp.force.example", False),
        ("ftp://idp.force.example", False),
        ("https://", False),
    ],
)
def test_an_issuer_is_https_or_loopback(url, accepted):
    if accepted:
        check_issuer_url(url)
    else:
        with pytest.raises(ValueError):
            check_issuer_url(url)


@pytest.mark.parametrize(
    ("bearer", "token"),
    [
        ("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", True),
        ("val_abc.def.ghi", False),
        ("val_" + "x" * 43, False),
    ],
)
def test_tokens_and_keys_are_told_apart(bearer, token):
    assert looks_like_token(bearer) is token
