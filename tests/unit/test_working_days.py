"""Working days in England and Wales, and Victims' Code due dates (docs/compliance.md), as tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from val.calendar import WorkingDays, london_date
from val.compliance.catalogue import CatalogueError, catalogue_from_mapping, load_catalogue
from val.compliance.rules import CaseFacts, PointStatus, points_for_event, status_when_fulfilled

LONDON = ZoneInfo("Europe/London")
CAL = WorkingDays()
CATALOGUE = load_catalogue(Path(__file__).parents[2] / "config" / "victims_code.toml")


def at_london(y, m, d, hh=12, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2026, 1, 1), False),  # New Year's Day
        (dt.date(2026, 1, 2), True),  # 2 January is a working day in England
        (dt.date(2026, 4, 3), False),  # Good Friday
        (dt.date(2026, 4, 6), False),  # Easter Monday
        (dt.date(2026, 5, 4), False),  # early May bank holiday
        (dt.date(2026, 5, 25), False),  # spring bank holiday
        (dt.date(2026, 8, 31), False),  # summer bank holiday
        (dt.date(2026, 12, 24), True),  # Christmas Eve is a working day
        (dt.date(2026, 12, 25), False),  # Christmas Day (Friday)
        (dt.date(2026, 12, 28), False),  # Boxing Day falls on Saturday: substitute Monday
        (dt.date(2026, 12, 29), True),
        (dt.date(2027, 3, 26), False),  # Good Friday 2027
        (dt.date(2027, 3, 29), False),  # Easter Monday 2027
        (dt.date(2027, 5, 3), False),
        (dt.date(2027, 5, 31), False),
        (dt.date(2027, 8, 30), False),
        (dt.date(2027, 12, 27), False),  # Christmas Day on Saturday: substitute Monday
        (dt.date(2027, 12, 28), False),  # Boxing Day on Sunday: substitute Tuesday
        (dt.date(2027, 12, 29), True),
        (dt.date(2026, 11, 28), False),  # a Saturday
        (dt.date(2026, 11, 27), True),  # a Friday
    ],
)
def test_working_days_in_england_and_wales(day, working):
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("trigger", "days", "due"),
    [
        # The facts.
        (at_london(2026, 12, 24), 2, dt.date(2026, 12, 30)),  # reported Thu 24 Dec → R4 due Wed 30 Dec
        (at_london(2026, 4, 2), 2, dt.date(2026, 4, 8)),  # reported Thu 2 Apr (Easter) → Wed 8 Apr
        (at_london(2026, 5, 22), 1, dt.date(2026, 5, 26)),  # enhanced arrest update over spring bank holiday
        (at_london(2026, 5, 22), 5, dt.date(2026, 6, 1)),  # standard arrest update
        # Across the year end and the early May bank holiday.
        (at_london(2026, 12, 31), 1, dt.date(2027, 1, 4)),
        (at_london(2027, 12, 24), 1, dt.date(2027, 12, 29)),
        (at_london(2026, 5, 1), 1, dt.date(2026, 5, 5)),
        (at_london(2026, 8, 28), 1, dt.date(2026, 9, 1)),
        # 0 days: the trigger's own date, or the next working day.
        (at_london(2026, 11, 26), 0, dt.date(2026, 11, 26)),
        (at_london(2026, 11, 28), 0, dt.date(2026, 11, 30)),
        (at_london(2026, 12, 25), 0, dt.date(2026, 12, 29)),
        # 10 and 20 working days.
        (at_london(2026, 12, 21), 10, dt.date(2027, 1, 7)),
        (at_london(2026, 3, 30), 20, dt.date(2026, 4, 29)),
    ],
)
def test_due_dates_count_working_days_after_the_trigger(trigger, days, due):
    assert CAL.due_on(trigger, days) == due


@pytest.mark.parametrize(
    ("instant", "london"),
    [
        (dt.datetime(2026, 7, 9, 23, 30, tzinfo=dt.UTC), dt.date(2026, 7, 10)),  # summer: BST, UTC+1
        (dt.datetime(2026, 1, 9, 23, 30, tzinfo=dt.UTC), dt.date(2026, 1, 9)),  # winter: GMT
        (
            dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC),
            dt.date(2026, 3, 28),
        ),  # the night clocks go forward
        (dt.datetime(2026, 3, 29, 23, 30, tzinfo=dt.UTC), dt.date(2026, 3, 30)),  # the first BST evening
        (dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC), dt.date(2026, 10, 25)),  # last BST evening
        (dt.datetime(2026, 10, 25, 23, 30, tzinfo=dt.UTC), dt.date(2026, 10, 25)),  # back to GMT
    ],
)
def test_the_trigger_date_is_the_london_date(instant, london):
    assert london_date(instant) == london


def test_a_late_summer_report_counts_from_the_next_london_day():
    # 23:30 UTC on Friday 10 July 2026 is 00:30 on Saturday in London: due 2 working days after Saturday.
    assert CAL.due_on(dt.datetime(2026, 7, 10, 23, 30, tzinfo=dt.UTC), 2) == dt.date(2026, 7, 14)
    assert CAL.due_on(dt.datetime(2026, 7, 10, 22, 30, tzinfo=dt.UTC), 2) == dt.date(2026, 7, 14)
    assert CAL.due_on(dt.datetime(2026, 7, 10, 22, 59, tzinfo=dt.UTC), 1) == dt.date(2026, 7, 13)


def test_extra_closures_are_not_working_days():
    closed = WorkingDays(extra_closures=[dt.date(2026, 12, 29)])
    assert closed.due_on(at_london(2026, 12, 24), 2) == dt.date(2026, 12, 31)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        london_date(dt.datetime(2026, 1, 1, 12))


# --- the catalogue and the points it opens --------------------------------------------------------------


def test_the_catalogue_lists_every_code_of_the_domain():
    codes = {p.code for p in CATALOGUE.points}
    assert codes == {
        "R3_WRITTEN_CONFIRMATION",
        "R4_REFERRAL_TO_SUPPORT",
        "R6_ARREST_UPDATE",
        "R6_INTERVIEW_UPDATE",
        "R6_RELEASE_UPDATE",
        "R6_BAIL_UPDATE",
        "R6_NOT_INVESTIGATED_UPDATE",
        "R6_CHARGE_DECISION_UPDATE",
        "R6_CPS_CHARGE_CHANGE_UPDATE",
        "R7_VPS_OFFERED",
        "R8_HEARING_DETAILS",
        "R8_BAIL_HEARING_OUTCOME",
        "R8_REQUIRED_AS_WITNESS",
        "R9_OUTCOME_AND_SENTENCE",
        "R11_VCS_REFERRAL",
        "R11_VLO_CONTACT",
        "R12_COMPLAINT_RESPONSE",
        "LS_FIRST_CONTACT",
    }


@pytest.mark.parametrize(
    "broken",
    [
        {"point": []},
        {"point": [{"code": "X", "agency": "police", "trigger": "t", "title": "x", "days": [1]}]},
        {
            "point": [
                {"code": "X", "agency": "police", "trigger": "t", "title": "x", "days": [1, 1], "colour": 1}
            ]
        },
        {
            "point": [
                {"code": "X", "agency": "police", "trigger": "t", "title": "x", "days": [1, 1], "right": 13}
            ]
        },
        {
            "point": [{"code": "X", "agency": "police", "trigger": "t", "title": "x", "days": [1, 1]}],
            "board": {"crime_type_priority": ["domestic_abuse", "burglary"], "suppression_threshold": 5},
        },
    ],
)
def test_a_broken_catalogue_is_refused_naming_what_is_wrong(broken):
    raw = {
        "violent_or_sexual": {"crime_types": [], "home_office_codes": []},
        "board": {"crime_type_priority": [], "suppression_threshold": 5},
        **broken,
    }
    with pytest.raises(CatalogueError):
        catalogue_from_mapping(raw)


def facts(enhanced=True, consent="given", crime_types=("domestic_abuse",), code="8N") -> CaseFacts:
    return CaseFacts(
        enhanced=enhanced, consent=consent, crime_types=tuple(crime_types), home_office_code=code
    )


def opened(event, f, details=None, when=None):
    return {
        p.rule.code: p
        for p in points_for_event(CATALOGUE, CAL, f, event, when or at_london(2026, 5, 22), details)
    }


@pytest.mark.parametrize(("enhanced", "due"), [(True, dt.date(2026, 5, 26)), (False, dt.date(2026, 6, 1))])
def test_an_arrest_opens_the_arrest_update_with_enhanced_or_standard_days(enhanced, due):
    points = opened("suspect_arrested", facts(enhanced=enhanced))
    assert list(points) == ["R6_ARREST_UPDATE"] and points["R6_ARREST_UPDATE"].due_on == due


def test_a_crime_report_opens_written_confirmation_and_referral():
    assert set(opened("crime_reported", facts())) == {"R3_WRITTEN_CONFIRMATION", "R4_REFERRAL_TO_SUPPORT"}


@pytest.mark.parametrize(
    ("consent", "status", "reason"),
    [
        ("given", PointStatus.PENDING, None),
        ("not_asked", PointStatus.PENDING, None),
        ("declined", PointStatus.NOT_APPLICABLE, "consent_declined"),
        ("opted_out", PointStatus.NOT_APPLICABLE, "opted_out"),
    ],
)
def test_the_referral_point_is_not_applicable_without_consent_never_missed(consent, status, reason):
    point = opened("crime_reported", facts(consent=consent))["R4_REFERRAL_TO_SUPPORT"]
    assert (point.status, point.reason) == (status, reason)


@pytest.mark.parametrize(
    ("f", "details", "opens"),
    [
        (facts(crime_types=("sexual_violence",), code="19C"), {"custody_months": 12}, True),
        (facts(crime_types=("sexual_violence",), code="19C"), {"custody_months": 11}, False),
        (facts(crime_types=("other",), code="5D"), {"custody_months": 24}, True),
        (facts(crime_types=("other",), code="28E"), {"custody_months": 24}, False),  # burglary
        (facts(crime_types=("other",), code="28E"), {"custody_months": 24, "violent_or_sexual": True}, True),
        (facts(crime_types=("sexual_violence",), code=None), {}, False),
    ],
)
def test_a_sentence_opens_the_victim_contact_scheme_point_only_for_12_months_violent_or_sexual(
    f, details, opens
):
    assert ("R11_VCS_REFERRAL" in opened("sentenced", f, details)) is opens


@pytest.mark.parametrize(
    ("fulfilled", "status"),
    [
        (at_london(2026, 5, 26, 23, 59), PointStatus.MET),
        (dt.datetime(2026, 5, 26, 22, 59, tzinfo=dt.UTC), PointStatus.MET),  # 23:59 London time
        (dt.datetime(2026, 5, 26, 23, 1, tzinfo=dt.UTC), PointStatus.MET_LATE),  # 00:01 on the 27th in London
        (at_london(2026, 5, 22, 13), PointStatus.MET),
    ],
)
def test_a_point_is_met_when_fulfilled_on_or_before_its_due_date_in_london(fulfilled, status):
    assert status_when_fulfilled(dt.date(2026, 5, 26), fulfilled) is status
