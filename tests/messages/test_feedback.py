"""Feedback: at closure VAL sends a one-time link (through the local Notify), the victim answers a page VAL
serves, a coordinator reads the answers, and the Board reads satisfaction with small numbers withheld. The page
is used as a person uses it, in Chromium."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from tests.browser import driven_chromium, heading_becomes, shown
from tests.conftest import auth, now_iso
from val.auth.roles import Role
from val.calendar import london_date


def _closed_with_feedback_link(day, send_due, notify, messaging_client, **overrides):
    case_id = day.refer(**overrides)
    day.attempt(case_id)
    closed = messaging_client.post(
        f"/api/v1/cases/{case_id}/close",
        json={"outcome": "supported", "at": now_iso(0), "withdraw_open": True},
        headers=auth(day.coordinator),
    )
    assert closed.status_code == 200, closed.get_json()
    assert sorted(m["template"] for m in day.messages(case_id)) == ["feedback_request", "information_pack"]
    assert send_due() == ["sent", "sent"]
    [feedback_sms] = [s for s in notify.sent if "feedback_link" in s.personalisation]
    link = feedback_sms.personalisation["feedback_link"]
    assert link.startswith("https://val.example.police.uk/feedback/")
    return case_id, urlsplit(link).path


def test_a_closed_cases_victim_answers_once_and_the_coordinator_reads_it(
    day,
    send_due,
    notify,
    messaging_client,
):
    case_id, path = _closed_with_feedback_link(day, send_due, notify, messaging_client)
    page = messaging_client.get(path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Exit this page" in page.get_data(as_text=True)
    assert (
        page.headers["Cache-Control"] == "no-store"
        and "script-src 'self'" in page.headers["Content-Security-Policy"]
    )

    missing = messaging_client.post(path, data={"satisfaction": "4"})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "There is a problem" in html
    assert (
        'href="#told_once"' in html and 'href="#listened_to"' in html and 'href="#satisfaction"' not in html
    )
    too_long = messaging_client.post(
        path, data={"satisfaction": "4", "told_once": "yes", "listened_to": "yes", "comments": "x" * 1201}
    )
    assert too_long.status_code == 400 and "1200 characters or fewer" in too_long.get_data(as_text=True)

    answers = {
        "satisfaction": "5",
        "told_once": "yes",
        "listened_to": "partly",
        "comments": "Thank you, Sam.",
    }
    done = messaging_client.post(path, data=answers)
    assert done.status_code == 200 and "Thank you for your feedback" in done.get_data(as_text=True)
    again = messaging_client.post(path, data=answers)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    tampered = messaging_client.get(path[:-3] + "abc")
    assert tampered.status_code == 404 and "does not work" in tampered.get_data(as_text=True)
    assert "Traceback" not in tampered.get_data(as_text=True)

    read = messaging_client.get(f"/api/v1/cases/{case_id}/feedback", headers=auth(day.coordinator))
    [kept] = read.get_json()["items"]
    assert (kept["satisfaction"], kept["told_once"], kept["listened_to"], kept["comments"]) == (
        5,
        "yes",
        "partly",
        "Thank you, Sam.",
    )


def test_the_board_reads_satisfaction_with_small_numbers_withheld(
    day,
    send_due,
    notify,
    messaging_client,
    make_key,
):
    for n in range(6):
        _case, path = _closed_with_feedback_link(day, send_due, notify, messaging_client)
        notify.sent.clear()
        told_once = "no" if n == 0 else "yes"  # one of six had to repeat their story: too few to publish
        answered = messaging_client.post(
            path, data={"satisfaction": "4", "told_once": told_once, "listened_to": "yes"}
        )
        assert answered.status_code == 200
    board = auth(make_key(Role.BOARD))
    today = london_date(dt.datetime.now(dt.UTC))
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    period = {"from": first.isoformat(), "to": last.isoformat()}
    by_month = messaging_client.get("/api/v1/board/feedback", query_string=period, headers=board).get_json()
    [month] = by_month["rows"]
    assert (
        month["responses"] == 5 and month["satisfied"] == 5 and month["satisfied_rate"] == 1.0
    )  # 6, rounded
    assert month["told_once"] is None and month["told_once_rate"] is None, "5 of 6 would show the 1"
    assert "told_once" in month["suppressed_cells"]
    by_area = messaging_client.get(
        "/api/v1/board/feedback", query_string={**period, "group_by": "policing_area"}, headers=board
    ).get_json()
    assert by_area["total"]["responses"] == 5
    assert "comments" not in str(by_area) and "Sam" not in str(by_area)
    pack = messaging_client.get("/api/v1/board/pack", query_string=period, headers=board)
    section = pack.get_data(as_text=True).split("Victims' feedback</h2>")[1]
    assert pack.status_code == 200 and "withheld" in section and "100%" in section
    part = {"from": first.isoformat(), "to": (first + dt.timedelta(days=9)).isoformat()}
    refused = messaging_client.get("/api/v1/board/feedback", query_string=part, headers=board)
    assert refused.status_code == 422, "a part month could be subtracted from the whole: refused"


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_victim_fills_in_the_feedback_page_in_chromium(
    day,
    send_due,
    notify,
    messaging_client,
    messaging_app,
):
    _case, path = _closed_with_feedback_link(day, send_due, notify, messaging_client)
    base = notify.callback_url.rsplit("/api/", 1)[0]
    with driven_chromium() as browser:
        browser.get(base + path)
        heading_becomes(browser, "Tell us about the support you got")
        browser.find_element(By.CSS_SELECTOR, "input[name=satisfaction][value='4']").click()
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        summary = shown(browser, ".error-summary")
        assert "Select whether you only had to tell your story once" in summary.text
        assert browser.switch_to.active_element.get_attribute("name") == "told_once", (
            "focus on the first error"
        )
        assert browser.find_element(By.CSS_SELECTOR, "input[name=satisfaction][value='4']").is_selected()
        summary.find_element(By.LINK_TEXT, "Select whether you felt listened to").click()
        assert browser.current_url.endswith("#listened_to")
        browser.find_element(By.CSS_SELECTOR, "input[name=told_once][value=yes]").click()
        browser.find_element(By.CSS_SELECTOR, "input[name=listened_to][value=yes]").click()
        browser.find_element(By.ID, "comments").send_keys("Kind and quick.")
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        heading_becomes(browser, "Thank you for your feedback")
        browser.get(base + path)
        heading_becomes(browser, "This link has already been used")
        assert re.search(r"call us on", browser.page_source)
