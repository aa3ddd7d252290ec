"""Following a case to its end (docs/casework.md): providers' answers, closing and reopening, events and the
timeline."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import select

from harness.webhook_contract import problems as webhook_problems
from tests.api.cases import CASES, EXAMPLE_HOSTS, PROVIDER, attempt, get_case, route_of
from tests.conftest import SECRET_BOX, auth, now_iso
from val.auth.roles import Role
from val.db.session import unit_of_work
from val.webhooks.endpoints import set_endpoint
from val.webhooks.models import WebhookDelivery


def test_a_case_follows_its_providers_and_closes_when_every_one_has_closed(
    client, coordinator, submit, make_key
):
    case = submit(**{"risk.yes_count": 5})  # one route: domestic abuse support
    route = case["routes"][0]
    provider = make_key(Role.PROVIDER, provider_id=route["provider"])
    assert client.post(f"{PROVIDER}/{route['id']}/accept", headers=auth(provider)).status_code == 200
    assert get_case(client, coordinator, case["id"])[0]["status"] == "in_support"
    done = client.post(
        f"{PROVIDER}/{route['id']}/outcome",
        json={"outcome": "supported", "at": now_iso()},
        headers=auth(provider),
    )
    assert done.status_code == 200
    closed, _ = get_case(client, coordinator, case["id"])
    assert (closed["status"], closed["closure_outcome"]) == ("closed", "supported")
    shown = closed["routes"][0]
    assert shown["accepted_at"] and shown["outcome"] == "supported" and shown["outcome_at"]


def test_closing_with_open_assignments_is_409_unless_they_are_withdrawn(
    client, coordinator, submit, database
):
    with unit_of_work(database) as session:
        set_endpoint(
            session, "wmwa-idva", "https://idva.example.org/hooks", policy=EXAMPLE_HOSTS, box=SECRET_BOX
        )
    case = submit()
    body = {"outcome": "no_further_action", "at": now_iso(), "reason": "Moved out of the area."}
    refused = client.post(f"{CASES}/{case['id']}/close", json=body, headers=auth(coordinator))
    assert refused.status_code == 409 and "idva" in refused.get_json()["detail"]
    closed = client.post(
        f"{CASES}/{case['id']}/close", json={**body, "withdraw_open": True}, headers=auth(coordinator)
    )
    assert closed.status_code == 200, closed.get_json()
    shown = closed.get_json()
    assert (
        shown["status"] == "closed" and shown["closure_outcome"] == "no_further_action" and shown["closed_at"]
    )
    assert {r["status"] for r in shown["routes"]} == {"withdrawn"}
    assert all(p["status"] != "not_applicable" or p["reason"] for p in shown["compliance_points"])
    assert any(p["status"] == "pending" for p in shown["compliance_points"]), "points stay open after closure"
    with unit_of_work(database) as session:
        assert "referral.withdrawn" in [d.event_type for d in session.scalars(select(WebhookDelivery))]
    notes = client.get(f"{CASES}/{case['id']}/notes", headers=auth(coordinator)).get_json()["items"]
    assert "Moved out of the area." in notes[0]["text"]
    again = client.post(f"{CASES}/{case['id']}/close", json=body, headers=auth(coordinator))
    assert again.status_code == 409
    reopened = client.post(
        f"{CASES}/{case['id']}/reopen",
        json={"reason": "Came back.", "offer_again": False},
        headers=auth(coordinator),
    )
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "triaged"
    assert reopened.get_json()["closed_at"] is None
    assert (
        client.post(
            f"{CASES}/{case['id']}/reopen", json={"reason": "x"}, headers=auth(coordinator)
        ).status_code
        == 409
    )


def test_a_reopened_case_is_offered_again_through_the_consent_gate(client, coordinator, submit, make_key):
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")

    def close():  # after the case was received
        return {
            "outcome": "no_further_action",
            "at": now_iso(),
            "reason": "Moved away.",
            "withdraw_open": True,
        }

    case = submit()
    assert (
        client.post(f"{CASES}/{case['id']}/close", json=close(), headers=auth(coordinator)).status_code == 200
    )
    reopened = client.post(
        f"{CASES}/{case['id']}/reopen", json={"reason": "Back."}, headers=auth(coordinator)
    )
    assert reopened.status_code == 200, reopened.get_json()
    shown = reopened.get_json()
    offered = sorted(r["service"] for r in shown["routes"] if r["status"] == "offered")
    assert offered == ["idva", "marac"] and shown["status"] == "routed"
    new_offer = next(r for r in shown["routes"] if r["service"] == "idva" and r["status"] == "offered")
    seen = client.get(f"{PROVIDER}/{new_offer['id']}", headers=auth(idva))
    assert seen.status_code == 200 and seen.get_json()["status"] == "offered"

    # Reopened for casework only, then a coordinator offers a withdrawn route again by rerouting it.
    second = submit()
    assert (
        client.post(f"{CASES}/{second['id']}/close", json=close(), headers=auth(coordinator)).status_code
        == 200
    )
    quiet = client.post(
        f"{CASES}/{second['id']}/reopen",
        json={"reason": "Back.", "offer_again": False},
        headers=auth(coordinator),
    ).get_json()
    withdrawn = next(r for r in quiet["routes"] if r["service"] == "idva")
    again = client.post(
        f"/api/v1/assignments/{withdrawn['id']}/reroute",
        json={"provider": "wmwa-idva"},
        headers=auth(coordinator),
    )
    assert again.status_code == 201 and again.get_json()["status"] == "offered", again.get_json()
    twice = client.post(f"/api/v1/assignments/{withdrawn['id']}/reroute", json={}, headers=auth(coordinator))
    assert twice.status_code == 409, "the service is already offered again"

    # Without consent, reopening offers only what the gate lets through (MARAC, for high-risk DA).
    third = submit(**{"consent.support_referral": "declined"})
    assert (
        client.post(f"{CASES}/{third['id']}/close", json=close(), headers=auth(coordinator)).status_code
        == 200
    )
    gated = client.post(f"{CASES}/{third['id']}/reopen", json={"reason": "Back."}, headers=auth(coordinator))
    assert [r["service"] for r in gated.get_json()["routes"] if r["status"] == "offered"] == ["marac"]


def test_a_declined_route_shows_its_reason(client, coordinator, submit, make_key):
    case = submit()
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    route = route_of(case, "idva")
    client.post(
        f"{PROVIDER}/{route['id']}/decline", json={"reason": "No capacity this week."}, headers=auth(idva)
    )
    shown = next(r for r in get_case(client, coordinator, case["id"])[0]["routes"] if r["id"] == route["id"])
    assert shown["status"] == "declined" and shown["decline_reason"] == "No capacity this week."
    assert shown["accepted_at"] is None


# --- history -------------------------------------------------------------------------------------------------


def test_events_and_the_timeline_tell_the_case_in_order(client, coordinator, submit, make_key):
    case = submit()
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    client.post(f"{PROVIDER}/{route_of(case, 'idva')['id']}/accept", headers=auth(idva))
    client.post(
        f"{CASES}/{case['id']}/events",
        json={"type": "suspect_arrested", "occurred_at": now_iso()},
        headers=auth(coordinator),
    )
    attempt(client, coordinator, case["id"], "reached")
    client.post(f"{CASES}/{case['id']}/notes", json={"text": "Spoke to her."}, headers=auth(coordinator))
    client.patch(f"{CASES}/{case['id']}", json={"owner": "me"}, headers=auth(coordinator))
    events = client.get(f"{CASES}/{case['id']}/events", headers=auth(coordinator)).get_json()
    assert [e["type"] for e in events["items"]] == ["suspect_arrested"] and events["next_cursor"] is None
    items = client.get(f"{CASES}/{case['id']}/timeline", headers=auth(coordinator)).get_json()["items"]
    kinds = [i["kind"] for i in items]
    for kind in (
        "received",
        "triaged",
        "offered",
        "accepted",
        "event",
        "point_opened",
        "point_met",
        "contact_attempt",
        "note",
        "owner_changed",
    ):
        assert kind in kinds, kind
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    assert "Spoke to her" not in str(items)
    assert next(i for i in items if i["kind"] == "accepted")["actor"] == "wmwa-idva"
    assert next(i for i in items if i["kind"] == "owner_changed")["actor"] == "jo.bloggs"


# --- the five defects ----------------------------------------------------------------------------------------


def test_consent_given_again_after_a_decline_owes_the_referral_again(client, coordinator, submit):
    case = submit()
    client.patch(
        f"{CASES}/{case['id']}", json={"consent": {"support_referral": "declined"}}, headers=auth(coordinator)
    )
    again = client.patch(
        f"{CASES}/{case['id']}", json={"consent": {"support_referral": "given"}}, headers=auth(coordinator)
    ).get_json()
    r4 = next(p for p in again["compliance_points"] if p["code"] == "R4_REFERRAL_TO_SUPPORT")
    assert (r4["status"], r4["reason"]) == ("pending", None)
    assert again["status"] == "routed"
    assert [r["status"] for r in again["routes"] if r["service"] == "idva"] == ["withdrawn", "offered"]


def test_a_second_sentence_opens_no_second_vcs_referral(client, coordinator, submit):
    case = submit(**{"offence.home_office_code": "8N"})
    for minutes in (2, 1):
        response = client.post(
            f"{CASES}/{case['id']}/events",
            json={
                "type": "sentenced",
                "occurred_at": now_iso(minutes),
                "details": {"custody_months": 24, "violent_or_sexual": True},
            },
            headers=auth(coordinator),
        )
        assert response.status_code == 201, response.get_json()
    codes = [p["code"] for p in get_case(client, coordinator, case["id"])[0]["compliance_points"]]
    assert codes.count("R11_VCS_REFERRAL") == 1


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"violent_or_sexual": "false"}, "details.violent_or_sexual"),
        ({"custody_months": "lots"}, "details.custody_months"),
        ({"custody_months": [1]}, "details.custody_months"),
        ({"custody_months": 1.5}, "details.custody_months"),
        ({"custody_months": True}, "details.custody_months"),
        ({"custody_months": -1}, "details.custody_months"),
    ],
)
def test_event_details_must_be_what_they_say(client, coordinator, submit, details, field):
    case = submit()
    response = client.post(
        f"{CASES}/{case['id']}/events",
        json={"type": "sentenced", "occurred_at": now_iso(1), "details": details},
        headers=auth(coordinator),
    )
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == field


def test_a_custody_of_1_5e400_months_is_a_422_not_a_500(client, coordinator, submit):
    case = submit()
    # Written by hand: json.dumps cannot produce 1.5e400, which Python's parser reads as infinity.
    body = (
        '{"type": "sentenced", "occurred_at": "' + now_iso(1) + '", "details": {"custody_months": 1.5e400}}'
    )
    response = client.post(
        f"{CASES}/{case['id']}/events", data=body, content_type="application/json", headers=auth(coordinator)
    )
    assert (
        response.status_code == 422 and response.get_json()["errors"][0]["field"] == "details.custody_months"
    )


def test_the_provider_view_speaks_iso_8601(client, submit, make_key):
    case = submit()
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    assignment_id = route_of(case, "idva")["id"]
    assert client.post(f"{PROVIDER}/{assignment_id}/accept", headers=auth(idva)).status_code == 200
    referral = client.get(f"{PROVIDER}/{assignment_id}", headers=auth(idva)).get_json()
    assert referral["victim"]["date_of_birth"] == "1992-03-01"
    assert dt.datetime.fromisoformat(referral["offence"]["occurred_at"])


def test_each_event_about_an_assignment_carries_the_next_sequence_number(
    client, coordinator, submit, database
):
    """A provider whose endpoint was down may get them in any order: the sequence says which came last."""
    with unit_of_work(database) as session:
        set_endpoint(
            session, "wmwa-idva", "https://idva.example.org/hooks", policy=EXAMPLE_HOSTS, box=SECRET_BOX
        )
    case = submit()
    _, etag = get_case(client, coordinator, case["id"])
    change = {"contact": {"phone": "07700 900456", "safe_to_call": False}}
    changed = client.patch(
        f"{CASES}/{case['id']}", json=change, headers=auth(coordinator, **{"If-Match": etag})
    )
    assert changed.status_code == 200
    body = {"outcome": "no_further_action", "at": now_iso(), "reason": "Moved.", "withdraw_open": True}
    assert client.post(f"{CASES}/{case['id']}/close", json=body, headers=auth(coordinator)).status_code == 200
    idva = next(r for r in case["routes"] if r["service"] == "idva")
    with unit_of_work(database) as session:
        sent = session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.assignment_id == uuid.UUID(idva["id"]))
            .order_by(WebhookDelivery.created_at)
        ).all()
    assert [(d.event_type, d.payload["data"]["sequence"]) for d in sent] == [
        ("referral.offered", 1),
        ("referral.updated", 2),
        ("referral.withdrawn", 3),
    ]
    for delivery in sent:  # each is what the OpenAPI document's `webhooks` say it is
        assert webhook_problems(json.dumps(delivery.payload).encode()) == [], delivery.payload
