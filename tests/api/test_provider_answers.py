"""A provider's answers and what follows them: accept, decline, outcomes, expiry, consent changes, reroutes,
reminders, and offers that wait for an endpoint."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.api.providers import BASE, EXAMPLE_HOSTS, police_intake, route_of
from tests.conftest import SECRET_BOX, auth
from val.alerts.models import Alert
from val.auth.roles import Role
from val.db.session import unit_of_work
from val.routing.models import Assignment
from val.routing.service import expire_overdue
from val.rulebook import load_rulebook
from val.settings import load_settings


@pytest.fixture
def submit(client, make_key, referral_body):
    return police_intake(client, make_key, referral_body)


def test_accept_then_outcomes(client, make_key, submit):
    case = submit()
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    assignment_id = route_of(case, "idva")["id"]
    soon_after = (dt.datetime.now(dt.UTC)).isoformat()
    early = client.post(
        f"{BASE}/{assignment_id}/outcome", json={"outcome": "supported", "at": soon_after}, headers=auth(idva)
    )
    assert early.status_code == 409
    assert (
        client.post(f"{BASE}/{assignment_id}/accept", headers=auth(idva)).get_json()["status"] == "accepted"
    )
    assert client.post(f"{BASE}/{assignment_id}/accept", headers=auth(idva)).status_code == 409
    now = dt.datetime.now(dt.UTC).isoformat()
    started = client.post(
        f"{BASE}/{assignment_id}/outcome", json={"outcome": "in_support", "at": now}, headers=auth(idva)
    )
    assert started.get_json()["status"] == "in_support"
    closed = client.post(
        f"{BASE}/{assignment_id}/outcome", json={"outcome": "supported", "at": now}, headers=auth(idva)
    )
    assert closed.get_json()["status"] == "closed"
    bad = client.post(
        f"{BASE}/{assignment_id}/outcome", json={"outcome": "vanished", "at": now}, headers=auth(idva)
    )
    assert bad.status_code == 422


def test_a_decline_needs_a_reason_and_offers_the_next_eligible_provider(client, make_key, submit, database):
    # Sexual violence in Shropshire at 12: CHISVA from AXIS (local, children from 5) first, then WMRSASC.
    case = submit(
        **{
            "offence.flags": ["sexual_offence"],
            "victim.date_of_birth": "2013-06-01",
            "victim.policing_area": "shropshire",
            "offence.occurred_at": "2025-10-01T10:00:00Z",
        }
    )
    first = route_of(case, "chisva")
    assert first["provider"] == "axis-isva"
    axis = make_key(Role.PROVIDER, provider_id="axis-isva")
    assert client.post(f"{BASE}/{first['id']}/decline", json={}, headers=auth(axis)).status_code == 422
    declined = client.post(
        f"{BASE}/{first['id']}/decline", json={"reason": "no capacity this week"}, headers=auth(axis)
    )
    assert declined.get_json()["status"] == "declined"
    wmrsasc = make_key(Role.PROVIDER, provider_id="wmrsasc-chisva")
    offered = client.get(BASE, headers=auth(wmrsasc)).get_json()["items"]
    assert [(r["service"], r["status"]) for r in offered] == [("chisva", "offered")]
    second = client.post(
        f"{BASE}/{offered[0]['assignment_id']}/decline", json={"reason": "conflict"}, headers=auth(wmrsasc)
    )
    assert second.status_code == 200
    with unit_of_work(database) as session:
        chain = list(
            session.scalars(
                select(Assignment).where(Assignment.service == "chisva").order_by(Assignment.offered_at)
            )
        )
        assert [(a.provider_id, a.status) for a in chain] == [
            ("axis-isva", "declined"),
            ("wmrsasc-chisva", "declined"),
            (None, "unassigned"),
        ]
        assert (
            session.scalar(select(Alert.kind).where(Alert.assignment_id == chain[-1].id))
            == "route_unassigned"
        )


def test_an_unanswered_offer_expires_to_the_next_provider(client, make_key, submit, database):
    case = submit(
        **{
            "offence.flags": ["sexual_offence"],
            "victim.date_of_birth": "1990-01-01",
            "offence.occurred_at": "2025-10-01T10:00:00Z",
        }
    )
    isva = route_of(case, "isva")
    assert isva["provider"] == "wmrsasc-isva"
    rulebook = load_rulebook(load_settings(environ={}).config_dir)
    with unit_of_work(database) as session:
        assert expire_overdue(session, rulebook.routing, dt.datetime.now(dt.UTC) + dt.timedelta(days=10)) == 1
    with unit_of_work(database) as session:
        statuses = [
            (a.provider_id, a.status)
            for a in session.scalars(
                select(Assignment).where(Assignment.service == "isva").order_by(Assignment.offered_at)
            )
        ]
    # No other ISVA covers South Worcestershire for adults: back to coordinators.
    assert statuses == [("wmrsasc-isva", "expired"), (None, "unassigned")]


def test_consent_given_later_routes_the_case_and_withdrawn_consent_withdraws_it(client, make_key, submit):
    coordinator = make_key(Role.COORDINATOR)
    case = submit(**{"consent.support_referral": "not_asked"})
    assert case["status"] == "awaiting_consent"
    # High-risk DA without consent: only MARAC is told (safeguarding).
    assert [r["service"] for r in case["routes"]] == ["marac"]
    given = client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"consent": {"support_referral": "given"}},
        headers=auth(coordinator),
    )
    assert given.status_code == 200, given.get_json()
    after = given.get_json()
    assert after["status"] == "routed"
    assert sorted(r["service"] for r in after["routes"] if r["status"] == "offered") == ["idva", "marac"]
    withdrawn = client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"consent": {"support_referral": "declined"}},
        headers=auth(coordinator),
    ).get_json()
    states = {r["service"]: r["status"] for r in withdrawn["routes"]}
    assert states == {"idva": "withdrawn", "marac": "offered"}
    r4 = next(p for p in withdrawn["compliance_points"] if p["code"] == "R4_REFERRAL_TO_SUPPORT")
    assert (r4["status"], r4["reason"]) == ("not_applicable", "consent_declined")
    unknown = client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"consent": {"support_referral": "maybe"}},
        headers=auth(coordinator),
    )
    assert unknown.status_code == 422


def test_a_reroute_passes_the_consent_gate_like_every_other_offer(client, make_key, submit):
    coordinator, idva = make_key(Role.COORDINATOR), make_key(Role.PROVIDER, provider_id="wmwa-idva")
    case = submit()
    idva_route = route_of(case, "idva")
    # The IDVA declines (its offer is now reroutable), then the victim declines support.
    answer = {"reason": "no capacity this week"}
    turned_down = client.post(f"{BASE}/{idva_route['id']}/decline", json=answer, headers=auth(idva))
    assert turned_down.status_code == 200, turned_down.get_json()
    declined = client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"consent": {"support_referral": "declined"}},
        headers=auth(coordinator),
    )
    assert declined.status_code == 200, declined.get_json()
    rerouted = client.post(
        f"/api/v1/assignments/{idva_route['id']}/reroute", json={}, headers=auth(coordinator)
    )
    assert rerouted.status_code == 409, rerouted.get_json()
    assert rerouted.get_json()["errors"][0]["field"] == "consent"
    named = client.post(
        f"/api/v1/assignments/{idva_route['id']}/reroute",
        json={"provider": "wmwa-idva"},
        headers=auth(coordinator),
    )
    assert named.status_code == 409, "naming a provider does not get round consent"
    held = client.get(BASE, headers=auth(idva)).get_json()["items"]
    assert [r["status"] for r in held if r["case_reference"] == case["reference"]] == ["declined"]
    case_routes = client.get(f"/api/v1/cases/{case['id']}", headers=auth(coordinator)).get_json()["routes"]
    assert "offered" not in {r["status"] for r in case_routes if r["service"] == "idva"}, "nothing offered"
    marac = route_of(case, "marac")
    moved = client.post(f"/api/v1/assignments/{marac['id']}/reroute", json={}, headers=auth(coordinator))
    assert moved.status_code == 201, "MARAC is shared without consent for high-risk domestic abuse"


def test_a_coordinator_reroutes_and_sees_alerts(client, make_key, submit):
    coordinator = make_key(Role.COORDINATOR)
    case = submit(**{"offence.flags": []})
    route = case["routes"][0]
    assert route["service"] == "victim_care"
    moved = client.post(
        f"/api/v1/assignments/{route['id']}/reroute",
        json={"provider": "climb-childrens-society"},
        headers=auth(coordinator),
    )
    assert moved.status_code == 422 and moved.get_json()["errors"][0]["field"] == "provider"
    again = client.post(f"/api/v1/assignments/{route['id']}/reroute", json={}, headers=auth(coordinator))
    assert again.status_code == 201 and again.get_json()["status"] == "unassigned"
    alerts = client.get("/api/v1/alerts", headers=auth(coordinator)).get_json()["items"]
    assert alerts[0]["kind"] == "route_unassigned"
    assert alerts[0]["case_reference"] == case["reference"], "what a coordinator quotes and searches by"
    resolved = client.post(f"/api/v1/alerts/{alerts[0]['id']}/resolve", headers=auth(coordinator)).get_json()
    assert resolved["resolved_at"]
    assert client.get("/api/v1/alerts", headers=auth(make_key(Role.BOARD))).status_code == 403


def test_a_provider_is_reminded_once_before_respond_by(client, make_key, submit, database):
    from val.routing.service import send_reminders
    from val.webhooks.endpoints import set_endpoint
    from val.webhooks.models import WebhookDelivery

    with unit_of_work(database) as session:
        set_endpoint(
            session, "wmwa-idva", "https://idva.example.org/hook", policy=EXAMPLE_HOSTS, box=SECRET_BOX
        )
    case = submit()
    respond_by = dt.datetime.fromisoformat(route_of(case, "idva")["respond_by"])
    window = dt.timedelta(hours=4)
    with unit_of_work(database) as session:
        assert send_reminders(session, window, now=respond_by - dt.timedelta(hours=6)) == 0
    with unit_of_work(database) as session:
        # IDVA and MARAC both hold unanswered offers; only the IDVA has an endpoint to be told at.
        assert send_reminders(session, window, now=respond_by - dt.timedelta(hours=3)) == 2
    with unit_of_work(database) as session:
        assert send_reminders(session, window, now=respond_by - dt.timedelta(hours=2)) == 0, "once per offer"
        events = sorted(
            (d.provider_id, d.event_type, d.status) for d in session.scalars(select(WebhookDelivery))
        )
        reminder = session.scalar(
            select(WebhookDelivery).where(
                WebhookDelivery.event_type == "referral.reminder", WebhookDelivery.provider_id == "wmwa-idva"
            )
        )
    assert events == [
        ("marac-coordinator", "referral.offered", "awaiting_endpoint"),  # sent once MARAC registers one
        ("marac-coordinator", "referral.reminder", "awaiting_endpoint"),
        ("wmwa-idva", "referral.offered", "pending"),
        ("wmwa-idva", "referral.reminder", "pending"),
    ]
    assert reminder.payload["data"]["assignment_id"] == route_of(case, "idva")["id"]


def test_offers_to_a_provider_without_an_endpoint_wait_alert_and_go_when_it_registers(
    client, submit, database
):
    from val.webhooks.awaiting import AWAITING_ENDPOINT_ALERT, alert_awaiting_endpoints
    from val.webhooks.endpoints import set_endpoint
    from val.webhooks.models import WebhookDelivery

    first, second = (submit(**{"source.reference": f"WAIT/{n}"}) for n in range(2))
    with unit_of_work(database) as session:
        waiting = [
            d
            for d in session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at))
            if d.provider_id == "wmwa-idva"
        ]
    assert [(d.event_type, d.status, d.next_attempt_at) for d in waiting] == [
        ("referral.offered", "awaiting_endpoint", None)
    ] * 2
    for expected in (True, False):  # the second run finds the alert open: one per provider
        with unit_of_work(database) as session:
            assert (alert_awaiting_endpoints(session) >= 1) is expected
    with unit_of_work(database) as session:
        alerts = session.scalars(select(Alert).where(Alert.kind == AWAITING_ENDPOINT_ALERT)).all()
    assert any("wmwa-idva" in a.detail and a.resolved_at is None for a in alerts)
    with unit_of_work(database) as session:
        set_endpoint(
            session, "wmwa-idva", "https://idva.example.org/hook", policy=EXAMPLE_HOSTS, box=SECRET_BOX
        )
    with unit_of_work(database) as session:
        released = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.id.in_([d.id for d in waiting]))
        ).all()
        idva_alert = next(
            a
            for a in session.scalars(select(Alert).where(Alert.kind == AWAITING_ENDPOINT_ALERT))
            if "wmwa-idva" in a.detail
        )
    assert {d.status for d in released} == {"pending"} and all(d.next_attempt_at for d in released)
    assert idva_alert.resolved_at is not None, "the condition ended by itself"
    offered = {d.payload["data"]["case_reference"] for d in released}
    assert offered == {first["reference"], second["reference"]}


def test_reopening_a_case_never_offers_it_again_to_a_provider_that_declined_it(
    client, make_key, submit, coordinator
):
    """CHISVA in Shropshire at 12: AXIS first, then WMRSASC. AXIS declines; the case is closed and reopened."""
    case = submit(
        **{
            "offence.flags": ["sexual_offence"],
            "victim.date_of_birth": "2013-06-01",
            "victim.policing_area": "shropshire",
            "offence.occurred_at": "2025-10-01T10:00:00Z",
        }
    )
    axis = make_key(Role.PROVIDER, provider_id="axis-isva")
    first = route_of(case, "chisva")
    assert (
        client.post(
            f"{BASE}/{first['id']}/decline", json={"reason": "no capacity this week"}, headers=auth(axis)
        ).status_code
        == 200
    )
    cases = f"/api/v1/cases/{case['id']}"
    closing = {"outcome": "no_further_action", "at": dt.datetime.now(dt.UTC).isoformat(), "reason": "Moved."}
    closed = client.post(f"{cases}/close", json={**closing, "withdraw_open": True}, headers=auth(coordinator))
    assert closed.status_code == 200, closed.get_json()
    reopened = client.post(f"{cases}/reopen", json={"reason": "Came back."}, headers=auth(coordinator))
    assert reopened.status_code == 200, reopened.get_json()
    chisva = [
        r for r in reopened.get_json()["routes"] if r["service"] == "chisva" and r["status"] == "offered"
    ]
    assert [r["provider"] for r in chisva] == ["wmrsasc-chisva"], "the next eligible provider, not AXIS again"
    assert "not axis-isva, which declined it before" in chisva[0]["because"]
    assert all(r["status"] != "offered" for r in client.get(BASE, headers=auth(axis)).get_json()["items"])
