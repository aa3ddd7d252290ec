"""Casework as a coordinator does it all day (docs/casework.md): own, contact and note cases; who may."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api.cases import CASES, EXAMPLE_HOSTS, PROVIDER, alerts_of, attempt, get_case, route_of
from tests.conftest import SECRET_BOX, auth, now_iso
from val.auth.roles import Role
from val.db.session import unit_of_work
from val.webhooks.endpoints import set_endpoint
from val.webhooks.models import WebhookDelivery


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


def test_an_etag_cannot_be_guessed_from_the_case_id_nor_enumerated(client, coordinator, submit):
    """It was the id's first 12 hex digits and a counter: `If-Match: "<id12>-1", …, "<id12>-299"` made a blind
    contact change."""
    case = submit()
    _, etag = get_case(client, coordinator, case["id"])
    version = etag.strip('"').split("-")[0]
    assert case["id"].replace("-", "")[:12] not in etag and len(etag.strip('"').split("-")[1]) >= 24
    change = {"contact": {"safe_to_call": False}}
    guesses = [f'"{case["id"].replace("-", "")[:12]}-{n}"' for n in range(1, 5)] + [f'"{version}-0"']
    for tags in (guesses[:4], guesses[4:]):
        guessed = client.patch(
            f"{CASES}/{case['id']}", json=change, headers=auth(coordinator, **{"If-Match": ", ".join(tags)})
        )
        assert guessed.status_code == 412
    many = ", ".join([*guesses, etag])
    listed = client.patch(
        f"{CASES}/{case['id']}", json=change, headers=auth(coordinator, **{"If-Match": many})
    )
    assert listed.status_code == 400 and listed.get_json()["errors"][0]["field"] == "If-Match", (
        "a list longer than a client's few cached versions is refused, the real tag in it or not"
    )
    assert get_case(client, coordinator, case["id"])[1] == etag, "the same case answers the same tag"


def test_the_timeline_keeps_an_attempt_given_to_the_second_after_what_was_recorded_before_it(
    client, coordinator, submit
):
    case = submit()
    owned = client.patch(f"{CASES}/{case['id']}", json={"owner": "me"}, headers=auth(coordinator))
    assert owned.status_code == 200
    timeline = client.get(f"{CASES}/{case['id']}/timeline", headers=auth(coordinator)).get_json()["items"]
    owner_changed = next(i for i in timeline if i["kind"] == "owner_changed")
    # The coordinator rang at once and gives the time to the second, as people do.
    to_the_second = (
        owner_changed["at"].split(".")[0] + "Z" if "." in owner_changed["at"] else owner_changed["at"]
    )
    body = {"at": to_the_second, "channel": "phone", "outcome": "reached"}
    posted = client.post(f"{CASES}/{case['id']}/contact-attempts", json=body, headers=auth(coordinator))
    assert posted.status_code == 201, posted.get_json()
    timeline = client.get(f"{CASES}/{case['id']}/timeline", headers=auth(coordinator)).get_json()["items"]
    kinds = [i["kind"] for i in timeline]
    assert kinds.index("owner_changed") < kinds.index("contact_attempt"), timeline


def test_reading_a_case_or_a_list_again_unchanged_is_304_and_if_match_still_takes_the_tag(
    client, coordinator, submit
):
    case = submit()
    read = client.get(f"{CASES}/{case['id']}", headers=auth(coordinator))
    tag = read.headers["ETag"]
    again = client.get(f"{CASES}/{case['id']}", headers=auth(coordinator, **{"If-None-Match": tag}))
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == tag
    listed = client.get(CASES, headers=auth(coordinator))
    unchanged = client.get(CASES, headers=auth(coordinator, **{"If-None-Match": listed.headers["ETag"]}))
    assert unchanged.status_code == 304
    # A change makes the old tag stale: the next read sends the case whole, and If-Match with the tag works.
    change = {"contact": {"phone": "07700 900456", "safe_to_call": False}}
    changed = client.patch(
        f"{CASES}/{case['id']}", json=change, headers=auth(coordinator, **{"If-Match": tag})
    )
    assert changed.status_code == 200, changed.get_json()
    fresh = client.get(f"{CASES}/{case['id']}", headers=auth(coordinator, **{"If-None-Match": tag}))
    assert fresh.status_code == 200 and fresh.get_json()["victim"]["contact"]["safe_to_call"] is False
    submit(**{"victim.family_name": "Smith"})
    assert (
        client.get(CASES, headers=auth(coordinator, **{"If-None-Match": listed.headers["ETag"]})).status_code
        == 200
    )
