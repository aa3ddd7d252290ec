"""Casework as a coordinator does it all day (docs/casework.md): find, own, contact, note, close and follow cases."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import SECRET_BOX, auth, now_iso
from val.alerts.models import Alert
from val.audit.models import AuditEvent
from val.auth.roles import Role
from val.db.session import unit_of_work
from val.webhooks.destinations import DestinationPolicy
from val.webhooks.endpoints import set_endpoint
from val.webhooks.models import WebhookDelivery

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


def test_the_work_queue_puts_overdue_first_then_high_risk_then_the_nearest_due(client, coordinator, submit):
    overdue = submit(recent=False, **{"risk.yes_count": 5})  # reported a year ago: its points are overdue
    standard = submit(**{"risk.yes_count": 5})
    high = submit()
    listed = client.get(f"{CASES}?sort=priority", headers=auth(coordinator)).get_json()
    assert [c["id"] for c in listed["items"]] == [overdue["id"], high["id"], standard["id"]]
    first = listed["items"][0]
    assert first["overdue_points"] >= 1 and first["reference"] == overdue["reference"]
    assert listed["items"][1]["risk_level"] == "high" and listed["items"][1]["next_due_on"] is not None
    assert set(first) == {
        "id",
        "reference",
        "victim_name",
        "status",
        "received_at",
        "crime_types",
        "risk_level",
        "enhanced_rights",
        "policing_area",
        "owner",
        "services",
        "next_due_on",
        "overdue_points",
        "repeat",
    }
    assert listed["items"][1]["services"] == ["idva", "marac"]
    newest = client.get(f"{CASES}?sort=-received_at", headers=auth(coordinator)).get_json()["items"]
    assert [c["id"] for c in newest] == [high["id"], standard["id"], overdue["id"]]


def test_pages_follow_the_cursor_and_the_link_header_without_gaps_or_repeats(client, coordinator, submit):
    made = {submit(**{"risk.yes_count": 5})["id"] for _ in range(5)} | {submit()["id"] for _ in range(2)}
    seen, url = [], f"{CASES}?limit=3"
    while url:
        response = client.get(url, headers=auth(coordinator))
        body = response.get_json()
        assert len(body["items"]) <= 3
        seen += [c["id"] for c in body["items"]]
        link = response.headers.get("Link")
        assert (link is None) == (body["next_cursor"] is None)
        url = link.split(">")[0].removeprefix("<").replace("http://localhost", "") if link else None
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    bad = client.get(f"{CASES}?cursor=not-ours", headers=auth(coordinator))
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    "q",
    [
        "quinterro",
        "  QUINT",
        "Quintérro",
        "07700 900123",
        "+44 7700 900123",
        "22/000001/26",
        "Alexandra Quinterro",  # the full name
        "alexandra  QUINTÉRRO",
        "WR1 2AB",  # the postcode, however it is spaced or cased
        "wr12ab",
    ],
)
def test_search_finds_a_case_by_name_phone_postcode_or_reference(client, coordinator, submit, q):
    wanted = submit()
    submit(
        **{
            "victim.family_name": "Smith",
            "victim.contact.phone": "+447700900999",
            "victim.postcode": "WR5 3QQ",
        }
    )
    submit(  # her sister: the same family name, her own phone and postcode
        **{
            "victim.given_name": "Beatrice",
            "victim.postcode": "HR4 9XY",
            "victim.contact.phone": "+447700900888",
        }
    )
    found = client.get(CASES, query_string={"q": q}, headers=auth(coordinator)).get_json()["items"]
    if q.strip().lower().startswith(("quint", "quintérro")):
        assert wanted["id"] in [c["id"] for c in found]  # the family name alone finds both sisters
        return
    assert [c["id"] for c in found] == [wanted["id"]], q
    assert found[0]["victim_name"] == "Alexandra Quinterro", "the row says whose case it is"


def test_search_by_val_reference_and_the_search_terms_are_never_audited(
    client, coordinator, submit, database
):
    wanted = submit()
    found = client.get(CASES, query_string={"q": wanted["reference"].lower()}, headers=auth(coordinator))
    assert [c["id"] for c in found.get_json()["items"]] == [wanted["id"]]
    client.get(CASES, query_string={"q": "Quinterro"}, headers=auth(coordinator))
    with unit_of_work(database) as session:
        listed = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "cases.listed")))
        everything = " ".join(str(vars(e)) for e in session.scalars(select(AuditEvent)))
    assert [e.result_count for e in listed] == [1, 1]
    assert "Quinterro" not in everything and wanted["reference"].lower() not in everything


def test_filters_combine(client, coordinator, submit, make_key):
    high = submit()
    standard = submit(
        **{"risk.yes_count": 5, "victim.policing_area": "herefordshire", "victim.family_name": "Another"}
    )

    def ids(query):
        body = client.get(f"{CASES}?{query}", headers=auth(coordinator)).get_json()
        return {c["id"] for c in body["items"]}

    assert ids("risk_level=high") == {high["id"]}
    assert ids("policing_area=herefordshire") == {standard["id"]}
    assert ids("crime_type=domestic_abuse") == {high["id"], standard["id"]}
    assert ids("crime_type=sexual_violence") == set()
    assert ids("service=idva") == {high["id"]}
    assert ids("provider_id=wmwa-idva") == {high["id"]}
    assert ids("status=routed,in_support") == {high["id"], standard["id"]}
    assert ids("overdue=true") == set() and ids("overdue=false") == {high["id"], standard["id"]}
    assert ids("enhanced=true&risk_level=high") == {high["id"]}
    today = dt.date.today()
    assert ids(
        f"received_from={today - dt.timedelta(days=1)}&received_to={today + dt.timedelta(days=1)}"
    ) == {high["id"], standard["id"]}
    assert ids(f"due_before={today + dt.timedelta(days=30)}") == {high["id"], standard["id"]}
    assert ids(f"due_before={today - dt.timedelta(days=30)}") == set()
    assert client.get(f"{CASES}?status=lost", headers=auth(coordinator)).status_code == 422
    assert client.get(f"{CASES}?colour=red", headers=auth(coordinator)).status_code == 422


# --- ownership and safe contact ------------------------------------------------------------------------------


def test_the_work_queues_items_are_exactly_what_its_schema_documents(client, coordinator, submit):
    """The queue builds its items' JSON by hand (it is read all day); the schema that documents them must
    read each back and write it out unchanged: the same fields, types and formats."""
    from val.cases.schemas import CaseListItemSchema

    submit(recent=False)  # overdue points
    owned = submit()  # the same victim again: a repeat
    client.patch(f"{CASES}/{owned['id']}", json={"owner": "me"}, headers=auth(coordinator))
    submit(**{"risk.yes_count": 5, "consent.support_referral": "declined"})
    items = client.get(f"{CASES}?sort=priority", headers=auth(coordinator)).get_json()["items"]
    schema = CaseListItemSchema()
    assert len(items) == 3
    assert any(i["owner"] for i in items) and any(i["repeat"] for i in items)
    assert any(i["next_due_on"] for i in items) and any(i["overdue_points"] for i in items)
    for item in items:
        assert schema.dump(schema.load(item)) == item


def test_a_coordinator_owns_a_case_and_finds_it_under_me(client, coordinator, submit, make_key):
    case = submit()
    other = make_key(Role.COORDINATOR, name="sam.jones")
    _, etag = get_case(client, coordinator, case["id"])
    owned = client.patch(f"{CASES}/{case['id']}", json={"owner": "me"}, headers=auth(coordinator))
    assert owned.status_code == 200 and owned.get_json()["owner"] == "jo.bloggs"
    assert owned.headers["ETag"] != etag
    mine = client.get(f"{CASES}?owner=me", headers=auth(coordinator)).get_json()["items"]
    assert [c["id"] for c in mine] == [case["id"]] and mine[0]["owner"] == "jo.bloggs"
    assert client.get(f"{CASES}?owner=me", headers=auth(other)).get_json()["items"] == []
    handed = client.patch(f"{CASES}/{case['id']}", json={"owner": "sam.jones"}, headers=auth(coordinator))
    assert handed.get_json()["owner"] == "sam.jones"
    assert [
        c["id"] for c in client.get(f"{CASES}?owner=sam.jones", headers=auth(coordinator)).get_json()["items"]
    ]
    unknown = client.patch(f"{CASES}/{case['id']}", json={"owner": "nobody.here"}, headers=auth(coordinator))
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "owner"
    released = client.patch(f"{CASES}/{case['id']}", json={"owner": None}, headers=auth(coordinator))
    assert released.get_json()["owner"] is None
    assert [c["id"] for c in client.get(f"{CASES}?owner=none", headers=auth(coordinator)).get_json()["items"]]


def test_safe_contact_changes_need_the_current_etag_and_reach_the_provider_at_once(
    client, coordinator, submit, make_key, database, receiver_url="https://idva.example.org/hooks"
):
    with unit_of_work(database) as session:
        set_endpoint(session, "wmwa-idva", receiver_url, policy=EXAMPLE_HOSTS, box=SECRET_BOX)
    case = submit()
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    assignment_id = route_of(case, "idva")["id"]
    _, etag = get_case(client, coordinator, case["id"])
    change = {"contact": {"phone": "07700 900456", "safe_to_call": False}}
    blind = client.patch(f"{CASES}/{case['id']}", json=change, headers=auth(coordinator))
    assert blind.status_code == 428 and blind.mimetype == "application/problem+json"
    stale = client.patch(
        f"{CASES}/{case['id']}", json=change, headers=auth(coordinator, **{"If-Match": '"0-0"'})
    )
    assert stale.status_code == 412
    star = client.patch(f"{CASES}/{case['id']}", json=change, headers=auth(coordinator, **{"If-Match": "*"}))
    assert star.status_code == 428 and star.get_json()["errors"][0]["field"] == "If-Match", (
        "`*` is a blind change"
    )
    weak = client.patch(
        f"{CASES}/{case['id']}", json=change, headers=auth(coordinator, **{"If-Match": f"W/{etag}"})
    )
    assert weak.status_code == 412, "If-Match compares strongly: a weak tag never matches"
    changed = client.patch(
        f"{CASES}/{case['id']}", json=change, headers=auth(coordinator, **{"If-Match": etag})
    )
    assert changed.status_code == 200, changed.get_json()
    contact = changed.get_json()["victim"]["contact"]
    assert contact["phone"] == "07700 900456" and contact["safe_to_call"] is False
    assert contact["safe_times"] == "after 18:00", "fields not named stay as they were"
    again = client.patch(
        f"{CASES}/{case['id']}", json=change, headers=auth(coordinator, **{"If-Match": etag})
    )
    assert again.status_code == 412, "the ETag changed with the contact details"
    assert client.post(f"{PROVIDER}/{assignment_id}/accept", headers=auth(idva)).status_code == 200
    seen = client.get(f"{PROVIDER}/{assignment_id}", headers=auth(idva)).get_json()["victim"]["contact"]
    assert seen["phone"] == "07700 900456" and seen["safe_to_call"] is False
    with unit_of_work(database) as session:
        updated = [
            d
            for d in session.scalars(select(WebhookDelivery))
            if d.event_type == "referral.updated" and d.provider_id == "wmwa-idva"
        ]
    assert [d.payload["data"]["changed"] for d in updated] == [["contact"]]
    assert "07700" not in str(updated[0].payload), "webhooks stay thin"
    found = client.get(CASES, query_string={"q": "+447700900456"}, headers=auth(coordinator)).get_json()[
        "items"
    ]
    assert [c["id"] for c in found] == [case["id"]], "the new number is searchable"


# --- contact attempts ----------------------------------------------------------------------------------------


def attempt(client, key, case_id, outcome, minutes_ago=0, channel="phone"):
    return client.post(
        f"{CASES}/{case_id}/contact-attempts",
        json={"at": now_iso(minutes_ago), "channel": channel, "outcome": outcome},
        headers=auth(key),
    )


def test_the_first_reached_attempt_meets_first_contact(client, coordinator, submit):
    case = submit()
    assert attempt(client, coordinator, case["id"], "no_answer").status_code == 201
    assert attempt(client, coordinator, case["id"], "reached").status_code == 201
    points = {p["code"]: p for p in get_case(client, coordinator, case["id"])[0]["compliance_points"]}
    assert points["LS_FIRST_CONTACT"]["status"] == "met"
    listed = client.get(f"{CASES}/{case['id']}/contact-attempts", headers=auth(coordinator)).get_json()
    assert [a["outcome"] for a in listed["items"]] == ["reached", "no_answer"]


def test_unsafe_to_talk_stops_calls_alerts_and_tells_the_providers(client, coordinator, submit, database):
    with unit_of_work(database) as session:
        set_endpoint(
            session, "wmwa-idva", "https://idva.example.org/hooks", policy=EXAMPLE_HOSTS, box=SECRET_BOX
        )
    case = submit()
    assert attempt(client, coordinator, case["id"], "unsafe_to_talk").status_code == 201
    assert get_case(client, coordinator, case["id"])[0]["victim"]["contact"]["safe_to_call"] is False
    assert "unsafe_contact" in alerts_of(database, case["id"])
    with unit_of_work(database) as session:
        kinds = [d.event_type for d in session.scalars(select(WebhookDelivery))]
    assert "referral.updated" in kinds


def test_wrong_number_and_three_misses_in_a_row_raise_alerts(client, coordinator, submit, database):
    case = submit()
    attempt(client, coordinator, case["id"], "wrong_number")
    assert alerts_of(database, case["id"]).count("contact_details_wrong") == 1
    attempt(client, coordinator, case["id"], "no_answer")
    attempt(client, coordinator, case["id"], "voicemail_left")
    assert alerts_of(database, case["id"]).count("unable_to_contact") == 1, (
        "three in a row, counting the wrong one"
    )
    attempt(client, coordinator, case["id"], "no_answer")
    assert alerts_of(database, case["id"]).count("unable_to_contact") == 1, "raised once per run of misses"


def test_declined_support_is_consent_declined(client, coordinator, submit):
    case = submit()
    assert attempt(client, coordinator, case["id"], "declined_support").status_code == 201
    after, _ = get_case(client, coordinator, case["id"])
    assert after["consent"]["support_referral"] == "declined" and after["status"] == "no_referral"
    assert (
        route_of(after, "idva")["status"] == "withdrawn" and route_of(after, "marac")["status"] == "offered"
    )
    r4 = next(p for p in after["compliance_points"] if p["code"] == "R4_REFERRAL_TO_SUPPORT")
    assert (r4["status"], r4["reason"]) == ("not_applicable", "consent_declined")


def test_attempts_are_not_in_the_future_nor_before_the_referral(client, coordinator, submit):
    case = submit()
    future = client.post(
        f"{CASES}/{case['id']}/contact-attempts",
        json={"at": now_iso(-60), "channel": "phone", "outcome": "reached"},
        headers=auth(coordinator),
    )
    assert future.status_code == 422 and future.get_json()["errors"][0]["field"] == "at"
    early = attempt(client, coordinator, case["id"], "reached", 60 * 24)
    assert early.status_code == 422 and early.get_json()["errors"][0]["field"] == "at"
    wrong = client.post(
        f"{CASES}/{case['id']}/contact-attempts",
        json={"at": now_iso(), "channel": "pigeon", "outcome": "reached"},
        headers=auth(coordinator),
    )
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["field"] == "channel"


# --- notes ---------------------------------------------------------------------------------------------------


def test_notes_are_immutable_newest_first_and_never_reach_a_provider(client, coordinator, submit, make_key):
    case = submit()
    first = client.post(
        f"{CASES}/{case['id']}/notes", json={"text": "Prefers a call after work."}, headers=auth(coordinator)
    )
    assert first.status_code == 201 and first.get_json()["author"] == "jo.bloggs"
    fix = client.post(
        f"{CASES}/{case['id']}/notes",
        json={"text": "Correction: after 19:00.", "corrects": first.get_json()["id"]},
        headers=auth(coordinator),
    )
    assert fix.get_json()["corrects"] == first.get_json()["id"]
    notes = client.get(f"{CASES}/{case['id']}/notes", headers=auth(coordinator)).get_json()["items"]
    assert [n["text"] for n in notes] == ["Correction: after 19:00.", "Prefers a call after work."]
    assert (
        client.put(f"{CASES}/{case['id']}/notes", json={"text": "x"}, headers=auth(coordinator)).status_code
        == 405
    )
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    seen = client.get(f"{PROVIDER}/{route_of(case, 'idva')['id']}", headers=auth(idva)).get_data(as_text=True)
    assert "after work" not in seen and "19:00" not in seen
    timeline = client.get(f"{CASES}/{case['id']}/timeline", headers=auth(coordinator)).get_data(as_text=True)
    assert "after work" not in timeline and "note added" in timeline
    assert (
        client.post(f"{CASES}/{case['id']}/notes", json={"text": ""}, headers=auth(coordinator)).status_code
        == 422
    )
    assert (
        client.post(
            f"{CASES}/{case['id']}/notes", json={"text": "x" * 4001}, headers=auth(coordinator)
        ).status_code
        == 422
    )


# --- lifecycle -----------------------------------------------------------------------------------------------


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


# --- who may ------------------------------------------------------------------------------------------------


CASEWORK = [
    ("get", "{c}"),
    ("patch", "{c}/x"),
    ("get", "{c}/x"),
    ("get", "{c}/x/events"),
    ("post", "{c}/x/events"),
    ("get", "{c}/x/timeline"),
    ("get", "{c}/x/notes"),
    ("post", "{c}/x/notes"),
    ("get", "{c}/x/contact-attempts"),
    ("post", "{c}/x/contact-attempts"),
    ("post", "{c}/x/close"),
    ("post", "{c}/x/reopen"),
]


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.BOARD, Role.INTAKE])
def test_providers_the_board_and_intake_get_403_on_every_casework_endpoint(client, submit, make_key, role):
    case = submit()
    key = make_key(role, provider_id="wmwa-idva" if role is Role.PROVIDER else None)
    for method, path in CASEWORK:
        url = path.format(c=CASES).replace("/x", f"/{case['id']}")
        response = getattr(client, method)(url, json={} if method != "get" else None, headers=auth(key))
        assert response.status_code == 403, (method, url, response.status_code)


def test_a_search_that_matches_many_cases_is_joined_in_the_database(client, coordinator, submit, monkeypatch):
    from val.cases import queue

    monkeypatch.setattr(queue, "SEARCH_CAP", 1)
    both = {submit()["id"], submit(**{"victim.family_name": "Quintana"})["id"]}
    submit(**{"victim.family_name": "Smith"})
    found = client.get(CASES, query_string={"q": "quint"}, headers=auth(coordinator)).get_json()["items"]
    assert {c["id"] for c in found} == both


def test_a_search_pages_in_the_queue_order_like_any_list(client, coordinator, submit):
    overdue = submit(recent=False, **{"risk.yes_count": 5})
    high = submit()
    submit(**{"victim.family_name": "Smith"})
    seen, url = [], f"{CASES}?q=quinterro&limit=1"
    while url:
        response = client.get(url, headers=auth(coordinator))
        seen += [c["id"] for c in response.get_json()["items"]]
        link = response.headers.get("Link")
        url = link.split(">")[0].removeprefix("<").replace("http://localhost", "") if link else None
    assert seen == [overdue["id"], high["id"]]
    foreign = client.get(
        CASES, query_string={"q": "quinterro", "cursor": "W1sidiIsICJ4Il1d"}, headers=auth(coordinator)
    )
    assert foreign.status_code == 400
