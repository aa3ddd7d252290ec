"""What the casework tests share: the paths, the example provider host and a few readers."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.conftest import auth, now_iso
from val.alerts.models import Alert
from val.db.session import unit_of_work
from val.webhooks.destinations import DestinationPolicy

# The example provider host, allowed without resolving it: tests never look a name up.
EXAMPLE_HOSTS = DestinationPolicy(
    allow_http=False, allow_loopback=False, allowlist=frozenset({"idva.example.org"})
)

CASES = "/api/v1/cases"
PROVIDER = "/api/v1/provider/referrals"


def get_case(client, key, case_id):
    response = client.get(f"{CASES}/{case_id}", headers=auth(key))
    assert response.status_code == 200, response.get_json()
    return response.get_json(), response.headers["ETag"]


def route_of(case, service):
    return next(r for r in case["routes"] if r["service"] == service)


def alerts_of(database, case_id):
    with unit_of_work(database) as session:
        return [a.kind for a in session.scalars(select(Alert).where(Alert.case_id == uuid.UUID(case_id)))]


# --- finding cases -------------------------------------------------------------------------------------------


def attempt(client, key, case_id, outcome, minutes_ago=0, channel="phone"):
    return client.post(
        f"{CASES}/{case_id}/contact-attempts",
        json={"at": now_iso(minutes_ago), "channel": channel, "outcome": outcome},
        headers=auth(key),
    )
