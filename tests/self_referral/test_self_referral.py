"""A victim refers themselves through the page VAL serves: the form works without JavaScript, errors are shown
and fixed, what is sent becomes a referral triaged and routed as any and appears in the coordinator's queue;
bots, floods and oversized bodies are turned away. In Chromium, as a person uses it, quick exit included."""

from __future__ import annotations

import re
import threading

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait
from werkzeug.serving import make_server

from harness.servers import free_port
from tests.browser import driven_chromium, heading_becomes, shown
from tests.conftest import auth
from tests.contract import ContractClient
from val.app import create_app
from val.auth.roles import Role

FILLED = {
    "what_happened": "domestic_abuse",
    "told_police": "no",
    "given_name": "Robin",
    "family_name": "Selfref",
    "dob_day": "14",
    "dob_month": "2",
    "dob_year": "1991",
    "postcode": "WR5 3DA",
    "policing_area": "south_worcestershire",
    "phone": "07700 900 982",
    "safe_to_call": "yes",
    "phone_known_to_suspect": "no",
    "safe_times": "after 6pm",
    "preferred_channel": "sms",
    "consent": "given",
    "form_id": "form-abc123",
}


@pytest.fixture
def public_app(database):
    app = create_app(overrides={"database_url": database.url, "self_referrals_per_minute": 5})
    app.test_client_class = ContractClient
    yield app
    app.extensions["val"].db.dispose()


def _queue(client, make_key, **query):
    answer = client.get("/api/v1/cases", query_string=query, headers=auth(make_key(Role.COORDINATOR)))
    assert answer.status_code == 200
    return answer.get_json()["items"]


def test_a_self_referral_becomes_a_case_in_the_coordinators_queue(public_app, make_key):
    client = public_app.test_client()
    page = client.get("/self-referral")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<form method="post" action="/self-referral"' in html
    assert "Exit this page" in html and 'name="website"' in html
    done = client.post("/self-referral", data=FILLED, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "Your request has been sent" in text
    reference = re.search(r'class="reference">([^<]+)<', text).group(1)
    [case] = _queue(client, make_key, q=reference)
    assert case["reference"] == reference
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=auth(make_key(Role.COORDINATOR))).get_json()
    assert detail["source"]["system"] == "self-referral" and detail["consent"]["support_referral"] == "given"
    assert "domestic_abuse" in detail["triage"]["crime_types"]
    assert detail["victim"]["contact"]["preferred_channel"] == "sms"
    assert detail["victim"]["contact"]["phone_known_to_suspect"] is False
    # Sent twice (a double click, a refresh): one case.
    again = client.post("/self-referral", data=FILLED, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert reference in again.get_data(as_text=True)
    assert len(_queue(client, make_key, q="Selfref")) == 1


def test_errors_name_each_field_and_nothing_is_kept(public_app, make_key):
    client = public_app.test_client()
    answer = client.post(
        "/self-referral",
        data={
            **FILLED,
            "given_name": "",
            "dob_month": "13",
            "what_happened": "hate",
            "phone": "",
            "email": "nope",
        },
        environ_base={"REMOTE_ADDR": "192.0.2.11"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "There is a problem" in html
    for field in ("hate_strands", "given_name", "dob_day", "email"):
        assert f'href="#{field}"' in html, field
    assert 'value="Selfref"' in html, "what was typed is kept on the page"
    assert _queue(client, make_key, q="Selfref") == []


def test_bots_floods_and_big_bodies_are_turned_away(public_app, make_key):
    client = public_app.test_client()
    bot = client.post(
        "/self-referral",
        data={**FILLED, "website": "http://spam.example"},
        environ_base={"REMOTE_ADDR": "192.0.2.12"},
    )
    assert (
        bot.status_code == 200
        and "reference" not in bot.get_data(as_text=True).split("Your request has been sent")[1][:80]
    )
    assert _queue(client, make_key, q="Selfref") == []
    for _ in range(4):
        client.post(
            "/self-referral", data={**FILLED, "given_name": ""}, environ_base={"REMOTE_ADDR": "192.0.2.12"}
        )
    flooded = client.post("/self-referral", data=FILLED, environ_base={"REMOTE_ADDR": "192.0.2.12"})
    assert flooded.status_code == 429 and "Please wait a minute" in flooded.get_data(as_text=True)
    other = client.post(
        "/self-referral", data={**FILLED, "form_id": "other"}, environ_base={"REMOTE_ADDR": "192.0.2.13"}
    )
    assert other.status_code == 200, "another address is not held up"
    big = client.post(
        "/self-referral",
        data={**FILLED, "description": "x" * 20000},
        environ_base={"REMOTE_ADDR": "192.0.2.14"},
    )
    assert big.status_code == 413


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_victim_refers_themselves_in_chromium_and_leaves_quickly(database, make_key):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(overrides={"database_url": database.url, "quick_exit_url": f"{base}/health"})
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with driven_chromium() as browser:
            browser.get(f"{base}/self-referral")
            heading_becomes(browser, "Ask for support")
            browser.find_element(By.CSS_SELECTOR, "input[name=what_happened][value=domestic_abuse]").click()
            browser.find_element(By.ID, "given_name").send_keys("Robin")
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            summary = shown(browser, ".error-summary")
            assert "Enter your date of birth" in summary.text and "Select where you live" in summary.text
            assert browser.find_element(By.ID, "given_name").get_attribute("value") == "Robin"
            assert "?" not in browser.current_url, "nothing typed goes into a URL"
            summary.find_element(By.LINK_TEXT, "Enter your date of birth").click()
            for part, value in (("day", "14"), ("month", "2"), ("year", "1991")):
                browser.find_element(By.ID, f"dob_{part}").send_keys(value)
            browser.find_element(By.CSS_SELECTOR, "input[name=told_police][value=no]").click()
            Select(browser.find_element(By.ID, "policing_area")).select_by_value("south_worcestershire")
            browser.find_element(By.ID, "phone").send_keys("07700 900 982")
            browser.find_element(By.CSS_SELECTOR, "input[name=safe_to_call][value=yes]").click()
            browser.find_element(
                By.CSS_SELECTOR, "input[name=phone_known_to_suspect][value=not_sure]"
            ).click()
            browser.find_element(By.CSS_SELECTOR, "input[name=preferred_channel][value=none]").click()
            browser.find_element(By.ID, "consent").click()
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            heading_becomes(browser, "Your request has been sent")
            reference = browser.find_element(By.CSS_SELECTOR, ".reference").text
            assert "?" not in browser.current_url
            [case] = _queue(app.test_client(), make_key, q=reference)
            assert case["reference"] == reference

            browser.get(f"{base}/problems")  # where the victim was before opening the form
            browser.get(f"{base}/self-referral")
            heading_becomes(browser, "Ask for support")
            history = browser.execute_script("return window.history.length")
            browser.find_element(By.CSS_SELECTOR, "[data-exit-this-page]").click()
            WebDriverWait(browser, 10).until(
                lambda b: b.current_url == f"{base}/health", message="quick exit"
            )
            assert browser.execute_script("return window.history.length") == history, (
                "the page's entry was replaced"
            )
            browser.back()  # Back returns to what came before the form, never to the form
            WebDriverWait(browser, 10).until(lambda b: b.current_url == f"{base}/problems", message="back")
    finally:
        server.shutdown()
        app.extensions["val"].db.dispose()
