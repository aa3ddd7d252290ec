"""Victims' Code compliance over HTTP: events open points, fulfilments close them, the Board sees counts."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from sqlalchemy import select

from tests.conftest import auth
from val.audit.models import AuditEvent
from val.auth.roles import Role
from val.compliance.models import CompliancePoint
from val.compliance.service import sweep_overdue
from val.db.session import unit_of_work

EVENTS = "/api/v1/cases/{}/events"


@pytest.fixture
def coordinator(make_key):
    return make_key(Role.COORDINATOR)


@pytest.fixture
def new_case(client, make_key, referral_body):
    intake = make_key(Role.INTAKE)

    def create(**overrides):
        body = referral_body(
            **{
                "reported_at": "2026-05-20T10:00:00Z",
                "offence.occurred_at": "2026-05-20T09:00:00Z",
                **overrides,
            }
        )
        response = client.post("/api/v1/referrals", json=body, headers=auth(intake))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


def post_event(client, key, case_id, type_, occurred_at, **details):
    return client.post(
        EVENTS.format(case_id),
        json={"type": type_, "occurred_at": occurred_at, "details": details},
        headers=auth(key),
    )


@pytest.mark.parametrize(
    ("vulnerabilities", "flags", "due"),
    [([], ["domestic_abuse"], "2026-05-26"), ([], [], "2026-06-01")],
    ids=["enhanced victim: 1 working day", "standard victim: 5 working days"],
)
def test_an_arrest_on_friday_22_may_2026_opens_the_arrest_update(
    client, coordinator, new_case, vulnerabilities, flags, due
):
    case = new_case(
        **{
            "offence.flags": flags,
            "victim.vulnerabilities": vulnerabilities,
            "offence.home_office_code": "8N" if flags else "28E",
        }
    )
    assert case["triage"]["enhanced_rights"] is bool(flags)
    response = post_event(client, coordinator, case["id"], "suspect_arrested", "2026-05-22T15:00:00+01:00")
    assert response.status_code == 201
    points = response.get_json()["compliance_points"]
    # Due in May 2026 and not met: missed by now, whether or not the sweep has run (issue 13).
    assert [(p["code"], p["right"], p["due_on"], p["status"]) for p in points] == [
        ("R6_ARREST_UPDATE", 6, due, "missed")
    ]
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=auth(coordinator)).get_json()
    assert "R6_ARREST_UPDATE" in [p["code"] for p in detail["compliance_points"]]


def test_an_unknown_event_type_is_422_listing_the_valid_ones(client, coordinator, new_case):
    response = post_event(
        client, coordinator, new_case()["id"], "suspect_abducted_by_aliens", "2026-05-22T10:00:00Z"
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["errors"][0]["field"] == "type"
    assert (
        "suspect_arrested" in problem["errors"][0]["detail"] and "sentenced" in problem["errors"][0]["detail"]
    )


@pytest.mark.parametrize(
    ("occurred_at", "field"),
    [
        ("2026-05-19T10:00:00Z", "occurred_at"),
        ("2999-01-01T00:00:00Z", "occurred_at"),
        ("2026-05-22T10:00:00", "occurred_at"),
    ],
    ids=["before the crime was reported", "in the future", "without a timezone"],
)
def test_event_times_must_be_plausible(client, coordinator, new_case, occurred_at, field):
    response = post_event(client, coordinator, new_case()["id"], "suspect_arrested", occurred_at)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == field


def test_events_for_an_unknown_case_are_404_and_need_a_coordinator(client, coordinator, make_key, new_case):
    assert (
        post_event(client, coordinator, uuid.uuid4(), "suspect_arrested", "2026-05-22T10:00:00Z").status_code
        == 404
    )
    case = new_case()
    assert (
        post_event(
            client, make_key(Role.INTAKE), case["id"], "suspect_arrested", "2026-05-22T10:00:00Z"
        ).status_code
        == 403
    )


@pytest.mark.parametrize(("months", "opens"), [(12, True), (11, False)])
def test_a_sentence_of_12_months_for_a_sexual_offence_opens_the_vcs_referral(
    client, coordinator, new_case, months, opens
):
    case = new_case(**{"offence.flags": ["sexual_offence"], "offence.home_office_code": "19C"})
    points = post_event(
        client, coordinator, case["id"], "sentenced", "2026-06-01T10:00:00Z", custody_months=months
    ).get_json()["compliance_points"]
    assert ("R11_VCS_REFERRAL" in [p["code"] for p in points]) is opens


def test_declined_consent_makes_the_referral_point_not_applicable(new_case):
    case = new_case(**{"consent.support_referral": "declined"})
    r4 = next(p for p in case["compliance_points"] if p["code"] == "R4_REFERRAL_TO_SUPPORT")
    assert (r4["status"], r4["reason"]) == ("not_applicable", "consent_declined")


def _point(case, code):
    return next(p for p in case["compliance_points"] if p["code"] == code)


def fulfil(client, key, point_id, at):
    return client.post(f"/api/v1/compliance-points/{point_id}/fulfil", json={"at": at}, headers=auth(key))


def test_fulfilment_on_or_before_the_due_date_is_met_and_after_is_met_late(client, coordinator, new_case):
    case = new_case()
    r4, r3 = _point(case, "R4_REFERRAL_TO_SUPPORT"), _point(case, "R3_WRITTEN_CONFIRMATION")
    assert r4["due_on"] == "2026-05-22"
    on_time = fulfil(client, coordinator, r4["id"], "2026-05-22T22:30:00Z")  # 23:30 London, still the 22nd
    assert on_time.status_code == 200 and on_time.get_json()["status"] == "met"
    late = fulfil(client, coordinator, r3["id"], "2026-05-29T10:00:00Z")  # due 27 May (bank holiday on 25th)
    assert late.get_json()["status"] == "met_late"
    again = fulfil(client, coordinator, r4["id"], "2026-05-21T10:00:00Z")
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_fulfilment_before_the_trigger_or_in_the_future_is_422(client, coordinator, new_case):
    point = _point(new_case(), "R4_REFERRAL_TO_SUPPORT")
    before = fulfil(client, coordinator, point["id"], "2026-05-19T10:00:00Z")
    assert before.status_code == 422 and before.get_json()["errors"][0]["field"] == "at"
    assert fulfil(client, coordinator, point["id"], "2999-05-19T10:00:00Z").status_code == 422
    assert fulfil(client, coordinator, uuid.uuid4(), "2026-05-21T10:00:00Z").status_code == 404


def test_a_swept_point_fulfilled_in_time_becomes_met(client, coordinator, new_case, database):
    import datetime as dt

    point = _point(new_case(), "R4_REFERRAL_TO_SUPPORT")
    with unit_of_work(database) as session:
        # R3 and R4 ran from the report in May; first contact runs from when VAL received it (today).
        assert sweep_overdue(session, dt.date(2026, 6, 1)) == 2
    with unit_of_work(database) as session:
        assert sweep_overdue(session, dt.date(2026, 6, 1)) == 0, "sweeping again changes nothing"
    listed = client.get("/api/v1/compliance-points?status=missed", headers=auth(coordinator)).get_json()[
        "items"
    ]
    assert point["id"] in [p["id"] for p in listed]
    assert fulfil(client, coordinator, point["id"], "2026-05-21T16:00:00+01:00").get_json()["status"] == "met"


def test_a_not_applicable_point_cannot_be_fulfilled(client, coordinator, new_case):
    point = _point(new_case(**{"consent.support_referral": "opted_out"}), "R4_REFERRAL_TO_SUPPORT")
    assert fulfil(client, coordinator, point["id"], "2026-05-21T10:00:00Z").status_code == 409


def test_coordinators_list_points_by_status_agency_right_and_due_date(client, coordinator, new_case):
    case = new_case()
    post_event(client, coordinator, case["id"], "hearing_listed", "2026-06-02T10:00:00Z")
    # Due in June 2026 and never met: missed now, though no sweep has recorded it.
    query = "/api/v1/compliance-points?agency=witness_care&right=8&status=missed&due_before=2026-06-30"
    listed = client.get(query, headers=auth(coordinator)).get_json()["items"]
    assert [(p["code"], p["status"]) for p in listed] == [("R8_HEARING_DETAILS", "missed")]
    pending = client.get(query.replace("missed", "pending"), headers=auth(coordinator)).get_json()["items"]
    assert pending == []
    assert client.get("/api/v1/compliance-points?status=lost", headers=auth(coordinator)).status_code == 422
    assert client.get("/api/v1/compliance-points?colour=red", headers=auth(coordinator)).status_code == 422


SUMMARY = "/api/v1/board/compliance-summary"


def test_the_board_sees_counts_only_and_nothing_else(client, make_key, new_case, coordinator):
    for n in range(12):
        case = new_case(**{"source.reference": f"BOARD/{n}"})
        if n < 7:
            fulfil(client, coordinator, _point(case, "R4_REFERRAL_TO_SUPPORT")["id"], "2026-05-21T10:00:00Z")
    board = make_key(Role.BOARD)
    response = client.get(f"{SUMMARY}?from=2026-05-01&to=2026-05-31&group_by=code", headers=auth(board))
    assert response.status_code == 200
    summary = response.get_json()
    rows = {row["group"]["code"]: row for row in summary["rows"]}
    # Published counts are rounded to base 5 (docs/compliance.md): 7 → 5, 5 → 5, 12 → 10, 24 → 25. The unmet points
    # fell due in May: missed now, not pending, though no sweep has run.
    assert rows["R4_REFERRAL_TO_SUPPORT"]["met"] == 5 and rows["R4_REFERRAL_TO_SUPPORT"]["missed"] == 5
    assert rows["R3_WRITTEN_CONFIRMATION"]["missed"] == 10 and rows["R3_WRITTEN_CONFIRMATION"]["pending"] == 0
    assert summary["total"]["due"] == 25  # R3 and R4 of 12 cases; first contact runs from receipt, today
    assert summary["rounding_base"] == 5
    text = response.get_data(as_text=True)
    for identifying in ("Alexandra", "1992-03-01", "BOARD/", "case_id", "WR1", "Assault"):
        assert identifying not in text
    case_id = new_case(**{"source.reference": "BOARD/x"})["id"]
    for path in (f"/api/v1/cases/{case_id}", f"/api/v1/referrals/{case_id}", "/api/v1/compliance-points"):
        assert client.get(path, headers=auth(board)).status_code == 403
    assert client.post("/api/v1/referrals", json={}, headers=auth(board)).status_code == 403


def test_small_numbers_are_suppressed_in_json_and_csv(client, make_key, new_case, coordinator):
    for n in range(8):
        case = new_case(**{"source.reference": f"SMALL/{n}"})
        if n < 3:
            fulfil(client, coordinator, _point(case, "R4_REFERRAL_TO_SUPPORT")["id"], "2026-05-21T10:00:00Z")
    board = make_key(Role.BOARD)
    summary = client.get(
        f"{SUMMARY}?from=2026-05-01&to=2026-05-31&group_by=code", headers=auth(board)
    ).get_json()
    r4 = next(row for row in summary["rows"] if row["group"]["code"] == "R4_REFERRAL_TO_SUPPORT")
    assert r4["met"] is None and r4["suppressed"] is True and "met" in r4["suppressed_cells"]
    assert len(r4["suppressed_cells"]) >= 2
    assert r4["on_time_rate"] is None
    csv_response = client.get(
        f"{SUMMARY}.csv?from=2026-05-01&to=2026-05-31&group_by=code", headers=auth(board)
    )
    assert csv_response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
    r4_csv = next(row for row in table if row["code"] == "R4_REFERRAL_TO_SUPPORT")
    assert r4_csv["met"] == "" and "met" in r4_csv["suppressed_cells"]
    assert table[-1]["code"] == "total"


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-05-01",
        "from=2026-05-31&to=2026-05-01",
        "from=2026-05-01&to=2026-05-31&group_by=postcode",
        "from=2026-05-01&to=2026-05-31&group_by=right,right",
        "from=2026-05-01&to=2026-05-31&group_by=right&group_by=right",
        "from=2026-05-01&to=2026-05-31&group_by=right&group_by=code,agency",
        "from=yesterday&to=2026-05-31",
    ],
)
def test_bad_summary_queries_are_422(client, make_key, query):
    response = client.get(f"{SUMMARY}?{query}", headers=auth(make_key(Role.BOARD)))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_points_carry_no_personal_data(database, new_case):
    new_case()
    with unit_of_work(database) as session:
        point = session.scalar(select(CompliancePoint))
    columns = set(CompliancePoint.__table__.columns.keys())
    assert not columns & {"given_name", "family_name", "date_of_birth", "postcode", "description"}
    assert point.age_band == "18_plus" and point.crime_type == "domestic_abuse"


def test_the_board_cannot_recover_one_case_by_subtracting_overlapping_periods(
    client, make_key, new_case, database
):
    """Two attacks. A period minus the same period one day shorter used to give 2 (one case); then 253
    overlapping day windows, each rounded to 5, pinned a withheld count down exactly. Board figures are now
    only for whole months, quarters and years, so no day window can be asked for, and every published count
    is a multiple of 5."""
    for n in range(11):
        new_case(**{"source.reference": f"DIFF/{n}"})  # reported 2026-05-20
    new_case(
        **{"source.reference": "DIFF/last", "reported_at": "2026-05-21T10:00:00Z"}
    )  # one more, a day later
    board = make_key(Role.BOARD)

    def asked(period: str, group_by: str = "right"):
        return client.get(f"{SUMMARY}?{period}&group_by={group_by}", headers=auth(board))

    for first in range(1, 24):
        for last in range(first, 32):
            if (first, last) == (1, 31):
                continue
            window = asked(f"from=2026-05-{first:02d}&to=2026-05-{last:02d}")
            assert window.status_code == 422, (first, last)
            assert window.get_json()["errors"][0]["field"] in ("from", "to")
    month = asked("from=2026-05-01&to=2026-05-31")
    assert month.status_code == 200
    for row in [*month.get_json()["rows"], month.get_json()["total"]]:
        assert all(row[c] is None or row[c] % 5 == 0 for c in ("due", "met", "met_late", "missed", "pending"))
    for period in (
        "from=2026-04-01&to=2026-06-30",
        "from=2026-01-01&to=2026-12-31",
        "from=2026-04-01&to=2027-03-31",
    ):
        assert asked(period).status_code == 200, period
    for period in (
        "from=2026-05-01&to=2026-06-30",
        "from=2026-02-01&to=2026-04-30",
        "from=2026-02-01&to=2027-01-31",
    ):
        assert asked(period).status_code == 422, "two months, an odd quarter, a year from February"
    with unit_of_work(database) as session:
        trail = [
            (e.action, e.entity_id)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "board_query"))
        ]
    assert ("board.compliance_summary", "2026-05-01..2026-05-31 by right") in trail, (
        "Board queries are audited"
    )


def test_every_value_of_each_grouping_appears_so_a_row_reveals_nothing(client, make_key, new_case, app):
    new_case(**{"source.reference": "ROWS/1", "victim.policing_area": "herefordshire"})
    board = make_key(Role.BOARD)
    three = "from=2026-05-01&to=2026-05-31&group_by=policing_area,crime_type,age_band"
    refused = client.get(f"{SUMMARY}?{three}", headers=auth(board))
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "group_by"
    query = "from=2026-05-01&to=2026-05-31&group_by=policing_area,crime_type"
    summary = client.get(f"{SUMMARY}?{query}", headers=auth(board)).get_json()
    settings = app.extensions["val"].settings
    catalogue = app.extensions["val"].rulebook.catalogue
    keys = {(r["group"]["policing_area"], r["group"]["crime_type"]) for r in summary["rows"]}
    assert len(keys) == len(settings.policing_areas) * len(catalogue.crime_type_priority)
    lone = next(
        r
        for r in summary["rows"]
        if r["group"] == {"policing_area": "herefordshire", "crime_type": "domestic_abuse"}
    )
    empty = next(
        r
        for r in summary["rows"]
        if r["group"] == {"policing_area": "shropshire", "crime_type": "domestic_abuse"}
    )
    assert lone["due"] is None and empty["due"] == 0, "the one case is withheld; its row is one of many"


def test_groupings_may_be_given_comma_separated_or_repeated_alike(client, make_key, new_case):
    new_case()
    board = make_key(Role.BOARD)
    period = "from=2026-05-01&to=2026-05-31"
    comma = client.get(f"{SUMMARY}?{period}&group_by=right,crime_type", headers=auth(board)).get_json()
    repeated = client.get(f"{SUMMARY}?{period}&group_by=right&group_by=crime_type", headers=auth(board))
    assert repeated.status_code == 200
    assert repeated.get_json()["group_by"] == ["right", "crime_type"] == comma["group_by"]
    assert repeated.get_json()["rows"] == comma["rows"]
