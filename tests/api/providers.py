"""What the provider API tests share: the path, the example provider host, and intake as the police send it."""

from __future__ import annotations

from tests.conftest import auth
from val.auth.roles import Role
from val.webhooks.destinations import DestinationPolicy

BASE = "/api/v1/provider/referrals"
# The example provider's host, allowed without resolving it: tests never look a name up.
EXAMPLE_HOSTS = DestinationPolicy(
    allow_http=False, allow_loopback=False, allowlist=frozenset({"idva.example.org"})
)


def police_intake(client, make_key, referral_body):
    """Submit the example referral (as sent, reported a year ago) with overrides; the triaged case."""
    intake = make_key(Role.INTAKE)

    def post(**overrides):
        response = client.post("/api/v1/referrals", json=referral_body(**overrides), headers=auth(intake))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return post


def route_of(case, service):
    return next(r for r in case["routes"] if r["service"] == service)
