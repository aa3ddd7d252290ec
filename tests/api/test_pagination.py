"""One pagination convention on every list (DOMAIN §11): `items`, `next_cursor` and a `Link` header, pages that
neither skip nor repeat, and a foreign cursor refused by name."""

from __future__ import annotations

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
