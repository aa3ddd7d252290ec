"""Fixtures the API tests share: a coordinator, and submitting referrals as the police would."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import auth
from val.auth.roles import Role


def now_iso(minutes_ago: int = 0) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)).isoformat()


@pytest.fixture
def coordinator(make_key):
    return make_key(Role.COORDINATOR, name="jo.bloggs")


@pytest.fixture
def submit(client, make_key, referral_body):
    intake = make_key(Role.INTAKE)
    counter = iter(range(1, 1000))

    def post(recent: bool = True, **overrides):
        if recent:  # reported just now: its points fall due in the coming days, not years ago
            overrides = {
                "reported_at": now_iso(5),
                "offence.occurred_at": now_iso(60),
                "consent.recorded_at": now_iso(5),
                **overrides,
            }
        overrides.setdefault("source.reference", f"22/{next(counter):06d}/26")
        response = client.post("/api/v1/referrals", json=referral_body(**overrides), headers=auth(intake))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return post
