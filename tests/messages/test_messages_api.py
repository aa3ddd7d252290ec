"""A coordinator's day with messages: VAL sends the information pack after the first call that reached the
victim, a coordinator sends one by hand, the local Notify delivers and calls back, and the case shows it. Every
refusal names its rule; Notify's refusals, outages and failure receipts each end where a person sees them."""

from __future__ import annotations

import json
import re

from harness.notify import post_receipt, receipt_for
from tests.conftest import auth
from tests.messages.conftest import RECEIPTS_TOKEN
from tests.waiting import wait_until

FORBIDDEN_WORDS = re.compile(r"abuse|assault|domestic|sexual|rape|violence|crime|suspect|hate|victim", re.I)


def test_the_information_pack_goes_after_first_contact_and_the_case_shows_it_delivered(
    day, notify, send_due, messaging_client
):
    case_id = day.refer()
    assert day.messages(case_id) == []
    day.attempt(case_id)
    [queued] = day.messages(case_id)
    assert (queued["template"], queued["channel"], queued["sender"], queued["status"]) == (
        "information_pack",
        "sms",
        "val",
        "queued",
    )
    day.attempt(case_id)  # a second call that reached them sends nothing more
    assert len(day.messages(case_id)) == 1

    assert send_due() == ["sent"]
    [sms] = notify.sent
    assert sms.reference == queued["id"], "Notify's reference carries VAL's message id"
    assert sms.to == "+447700900123"
    assert set(sms.personalisation) == {"given_name", "reference", "coordinator_name", "line_phone"}
    assert sms.personalisation["given_name"] == "Alexandra"
    assert not FORBIDDEN_WORDS.search(json.dumps(sms.personalisation) + sms.body), sms.body

    wait_until(lambda: day.messages(case_id)[0]["status"] == "delivered", what="Notify's receipt")
    assert notify.callbacks[-1] == 200
    timeline = messaging_client.get(
        f"/api/v1/cases/{case_id}/timeline", headers=auth(day.coordinator)
    ).get_json()
    said = [item["summary"] for item in timeline["items"] if item["kind"] == "message"]
    assert any("queued" in s for s in said) and any("sent to GOV.UK Notify" in s for s in said)
    assert any("delivered" in s for s in said)

    # Notify sends a receipt again (its callbacks retry): nothing changes, nothing is added.
    again = post_receipt(notify.callback_url, RECEIPTS_TOKEN, receipt_for(sms))
    assert again == 200
    timeline_again = messaging_client.get(f"/api/v1/cases/{case_id}/timeline", headers=auth(day.coordinator))
    assert len(timeline_again.get_json()["items"]) == len(timeline["items"])


def test_a_coordinator_sends_by_hand_and_each_refusal_names_its_rule(day, send_due, notify):
    case_id = day.refer(**{"victim.contact.email": "alex@example.org"})
    sent = day.send(case_id, channel="email")
    assert sent.status_code == 202 and sent.get_json()["sender"] == "coordinator"
    assert send_due() == ["sent"] and notify.sent[0].to == "alex@example.org"
    assert notify.sent[0].personalisation["coordinator_name"] == "Alice"

    refusals = {
        "no_postal_address": (day.refer(), "letter"),
        "phone_known_to_suspect": (day.refer(**{"victim.contact.phone_known_to_suspect": True}), "sms"),
        "consent_declined_or_withdrawn": (day.refer(**{"consent.support_referral": "declined"}), "sms"),
        "victim_is_a_child": (day.refer(**{"victim.date_of_birth": "2012-05-01"}), "sms"),
    }
    for rule, (refused_case, channel) in refusals.items():
        answer = day.send(refused_case, channel=channel)
        problem = answer.get_json()
        assert answer.status_code == 409 and answer.mimetype == "application/problem+json", problem
        assert problem["rule"] == rule and problem["type"].endswith("/problems/message-refused"), problem
        assert day.messages(refused_case) == []

    unsafe = day.refer()
    day.attempt(unsafe, "unsafe_to_talk")
    answer = day.send(unsafe)
    assert answer.status_code == 409 and answer.get_json()["rule"] == "last_attempt_unsafe_to_talk"


def test_a_message_cancels_itself_when_the_case_becomes_unsafe_before_it_goes(day, send_due, notify):
    case_id = day.refer()
    assert day.send(case_id).status_code == 202
    day.attempt(case_id, "unsafe_to_talk")
    assert send_due() == ["cancelled"] and notify.sent == []
    [message] = day.messages(case_id)
    assert (message["status"], message["rule"]) == ("cancelled", "last_attempt_unsafe_to_talk")


def test_notify_refusing_a_number_fails_at_once_with_its_reason_and_alerts(day, send_due, messaging_client):
    case_id = day.refer(**{"victim.contact.phone": "+441905123456"})  # a landline: no texts
    assert day.send(case_id).status_code == 202
    assert send_due() == ["failed"]
    [message] = day.messages(case_id)
    assert message["status"] == "failed" and "Not a UK mobile number" in message["failure"]
    alerts = messaging_client.get("/api/v1/alerts", headers=auth(day.coordinator)).get_json()["items"]
    assert any(a["kind"] == "message_failed" and a["case_id"] == case_id for a in alerts)


def test_notify_unavailable_is_tried_again_and_a_permanent_failure_alerts(
    day, send_due, notify, messaging_client
):
    case_id = day.refer(**{"victim.contact.phone": "07700900002"})  # Notify's permanent-failure number
    assert day.send(case_id).status_code == 202
    notify.script = [500, 429]
    assert send_due() == ["retry"]
    assert send_due() == ["retry"]
    assert send_due() == ["sent"]
    assert day.messages(case_id)[0]["tries"] == 3
    wait_until(lambda: day.messages(case_id)[0]["status"] == "permanent-failure", what="the failure receipt")
    alerts = messaging_client.get("/api/v1/alerts", headers=auth(day.coordinator)).get_json()["items"]
    assert any(a["kind"] == "message_undeliverable" and a["case_id"] == case_id for a in alerts)


def test_retries_end_in_a_failure_a_person_sees(day, send_due, notify):
    case_id = day.refer()
    assert day.send(case_id).status_code == 202
    notify.script = [503, 503, 503]
    assert send_due() == ["retry"] and send_due() == ["retry"] and send_due() == ["failed"]
    assert "did not take it after 3 tries" in day.messages(case_id)[0]["failure"]


def test_receipts_need_notifys_token_and_an_id_vals_sent(messaging_client, day, send_due, notify):
    case_id = day.refer()
    day.send(case_id)
    send_due()
    body = receipt_for(notify.sent[0])
    assert messaging_client.post("/api/v1/notify/receipts", json=body).status_code == 401
    wrong = messaging_client.post("/api/v1/notify/receipts", json=body, headers=auth("not-the-token"))
    assert wrong.status_code == 401 and "not-the-token" not in wrong.get_data(as_text=True)
    unknown = messaging_client.post(
        "/api/v1/notify/receipts",
        json={**body, "id": "00000000-0000-0000-0000-000000000000"},
        headers=auth(RECEIPTS_TOKEN),
    )
    assert unknown.status_code == 404
    bad = messaging_client.post(
        "/api/v1/notify/receipts", json={"status": "delivered"}, headers=auth(RECEIPTS_TOKEN)
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "id"
