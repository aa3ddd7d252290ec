"""One pagination convention on every list (docs/casework.md): `items`, `next_cursor` and a `Link` header, pages that
neither skip nor repeat, and a foreign cursor refused by name."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import auth
from val.auth.roles import Role


@pytest.fixture
def three_cases(client, make_key, referral_body):
    """Three cases, each with an alert (a wrong number), so every list has more than one page at limit=1."""
    intake, coordinator = make_key(Role.INTAKE), make_key(Role.COORDINATOR)
    for n in range(3):
        body = referral_body(**{"source.reference": f"P/{n}", "victim.policing_area": "herefordshire"})
        case = client.post("/api/v1/referrals", json=body, headers=auth(intake)).get_json()
        attempt = {"at": case["received_at"], "channel": "phone", "outcome": "wrong_number"}
        posted = client.post(
            f"/api/v1/cases/{case['id']}/contact-attempts", json=attempt, headers=auth(coordinator)
        )
        assert posted.status_code == 201, posted.get_json()


LISTS = [
    (Role.COORDINATOR, None, "/api/v1/cases"),
    (Role.COORDINATOR, None, "/api/v1/compliance-points"),
    (Role.COORDINATOR, None, "/api/v1/alerts"),
    (Role.ADMIN, None, "/api/v1/audit-events"),
    (Role.PROVIDER, "wmwa-idva", "/api/v1/provider/referrals"),
]


@pytest.mark.parametrize(("role", "provider", "path"), LISTS, ids=[p for _, _, p in LISTS])
def test_every_list_pages_the_same_way(client, make_key, three_cases, role, provider, path):
    key = make_key(role, provider_id=provider)
    everything = client.get(f"{path}?limit=200", headers=auth(key)).get_json()
    assert set(everything) == {"items", "next_cursor"} and everything["next_cursor"] is None
    assert len(everything["items"]) >= 2
    seen, url = [], f"{path}?limit=1"
    while url:
        response = client.get(url, headers=auth(key))
        body = response.get_json()
        assert len(body["items"]) == 1
        seen.append(body["items"][0])
        link = response.headers.get("Link")
        assert (link is None) == (body["next_cursor"] is None)
        url = link.split(">")[0].removeprefix("<").replace("http://localhost", "") if link else None
    if path != "/api/v1/audit-events":  # reading the trail adds to it as we page
        assert seen == everything["items"]
    refused = client.get(f"{path}?cursor=bm90LW91cnM", headers=auth(key))
    assert refused.status_code == 400 and refused.get_json()["errors"] == [
        {"field": "cursor", "detail": refused.get_json()["detail"]}
    ]


def _crafted(values: list) -> str:
    """A cursor in our own encoding, holding values a client chose: well-formed, but not one we gave out."""
    import base64
    import json

    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


CRAFTED_VALUES = [
    ["v", 2**70],  # beyond any integer column
    ["v", -(2**63) - 1],
    ["v", "a\u0000b"],  # PostgreSQL text cannot hold NUL
    ["v", "x" * 90],
    ["t", "2026-01-01T00:00:00"],  # naive
    ["t", "9999-12-31T23:59:59-14:00"],  # overflows when made UTC
    ["t", "0001-01-01T00:00:00+14:00"],
    ["d", "0001-01-01"],
    ["u", "00000000-0000-0000-0000-000000000000"],
]


@pytest.fixture
def every_list(client, make_key, three_cases):
    """Every paged list, with the key that may read it (case-scoped lists on one of the three cases)."""
    coordinator = make_key(Role.COORDINATOR)
    case_id = client.get("/api/v1/cases?limit=1", headers=auth(coordinator)).get_json()["items"][0]["id"]
    return [
        *[(make_key(role, provider_id=provider), path) for role, provider, path in LISTS],
        (coordinator, f"/api/v1/cases/{case_id}/notes"),
        (coordinator, f"/api/v1/cases/{case_id}/timeline"),
        (coordinator, f"/api/v1/cases/{case_id}/events"),
        (make_key(Role.ADMIN), "/api/v1/webhook-deliveries"),
        (coordinator, "/api/v1/cases?sort=priority"),
        (coordinator, "/api/v1/cases?sort=-received_at"),
        (coordinator, "/api/v1/cases?q=smith"),
    ]


def test_a_crafted_cursor_is_refused_by_name_on_every_list_never_a_500(client, every_list):
    for key, path in every_list:
        joiner = "&" if "?" in path else "?"
        for value in CRAFTED_VALUES:
            for length in range(1, 5):
                for mixed in ([value] * length, [*[["u", str(uuid.uuid4())]] * (length - 1), value]):
                    response = client.get(f"{path}{joiner}cursor={_crafted(mixed)}", headers=auth(key))
                    assert response.status_code in (200, 400, 422), (path, mixed, response.get_json())
                    if response.status_code != 200:
                        assert response.get_json()["errors"][0]["field"] == "cursor", (path, mixed)
