"""The provider API: a provider sees only its own referrals, only what its service needs, and only while
they are its own."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.api.providers import BASE, police_intake, route_of
from tests.conftest import auth
from val.auth.roles import Role
from val.db.session import unit_of_work
from val.routing.models import Assignment


@pytest.fixture
def submit(client, make_key, referral_body):
    return police_intake(client, make_key, referral_body)


def test_a_provider_sees_its_own_referral_and_another_provider_gets_404(client, make_key, submit):
    case = submit()
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    climb = make_key(Role.PROVIDER, provider_id="climb-childrens-society")
    assignment_id = route_of(case, "idva")["id"]
    own = client.get(f"{BASE}/{assignment_id}", headers=auth(idva))
    assert own.status_code == 200
    offer = own.get_json()
    assert offer["case_reference"] == case["reference"] and offer["service"] == "idva"
    # Before accepting: enough to decide, nothing that says who the victim is.
    assert offer["victim"] == {
        "age_band": "25_44",
        "language": "en",
        "needs_interpreter": False,
        "vulnerabilities": [],
    }
    assert offer["triage"] == {"crime_types": ["domestic_abuse"], "risk_level": "high"}
    assert offer["policing_area"] == "south_worcestershire" and offer["disclosure"]["stage"] == "offer"
    for personal in ("Alexandra", "1992-03-01", "WR1", "7700", "date_of_birth", "contact"):
        assert personal not in str(offer), personal
    assert client.post(f"{BASE}/{assignment_id}/accept", headers=auth(idva)).status_code == 200
    referral = client.get(f"{BASE}/{assignment_id}", headers=auth(idva)).get_json()
    assert referral["victim"]["given_name"] == "Alexandra" and referral["disclosure"]["stage"] == "full"
    assert referral["risk"]["yes_count"] == 15
    assert "description" not in str(referral) and "Assault with injury" not in str(referral)
    other = client.get(f"{BASE}/{assignment_id}", headers=auth(climb))
    assert other.status_code == 404 and other.mimetype == "application/problem+json"
    assert client.get(f"{BASE}/{uuid.uuid4()}", headers=auth(idva)).status_code == 404
    assert [r["assignment_id"] for r in client.get(BASE, headers=auth(idva)).get_json()["items"]] == [
        assignment_id
    ]
    assert client.get(BASE, headers=auth(climb)).get_json() == {"items": [], "next_cursor": None}


def test_climb_never_sees_dash_answers(client, make_key, submit, delete):
    answers = {str(n): "yes" for n in range(1, 6)}
    case = submit(
        **{
            "offence.flags": ["child_criminal_exploitation"],
            "victim.date_of_birth": "2011-01-01",
            "risk.answers": answers,
            "risk.cce_level": "red",
            "offence.home_office_code": delete,
        }
    )
    climb = make_key(Role.PROVIDER, provider_id="climb-childrens-society")
    referral = client.get(f"{BASE}/{route_of(case, 'climb')['id']}", headers=auth(climb)).get_json()
    assert referral["risk"] == {"cce_level": "red"}
    assert "answers" not in str(referral) and "yes_count" not in str(referral)


@pytest.mark.parametrize("role", [Role.INTAKE, Role.COORDINATOR, Role.BOARD, Role.ADMIN])
def test_only_provider_credentials_use_the_provider_api(client, make_key, role):
    assert client.get(BASE, headers=auth(make_key(role))).status_code == 403


def test_a_move_the_referral_table_forbids_is_a_409_problem_naming_both_states(client, make_key, submit):
    case = submit()
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    assignment_id = route_of(case, "idva")["id"]
    assert client.post(f"{BASE}/{assignment_id}/accept", headers=auth(idva)).status_code == 200
    refused = client.post(
        f"{BASE}/{assignment_id}/decline", json={"reason": "no capacity"}, headers=auth(idva)
    )
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["detail"] == "The referral is accepted; it cannot become declined."
    assert problem["errors"] == [{"field": "status", "detail": problem["detail"]}]
    assert client.get(f"{BASE}/{assignment_id}", headers=auth(idva)).get_json()["status"] == "accepted"


def test_a_referral_no_longer_the_providers_shows_its_status_alone(client, make_key, submit, database):
    case = submit()
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    assignment_id = route_of(case, "idva")["id"]
    assert (
        client.post(
            f"{BASE}/{assignment_id}/decline", json={"reason": "No capacity."}, headers=auth(idva)
        ).status_code
        == 200
    )
    seen = client.get(f"{BASE}/{assignment_id}", headers=auth(idva)).get_json()
    assert seen["status"] == "declined" and "victim" not in seen and "risk" not in seen
    for personal in ("Alexandra", "Quinterro", "+4477", "WR1"):
        assert personal not in str(seen)


def test_after_consent_is_withdrawn_the_provider_sees_status_only(client, make_key, submit):
    case = submit()
    coordinator = make_key(Role.COORDINATOR)
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"consent": {"support_referral": "declined"}},
        headers=auth(coordinator),
    )
    seen = client.get(f"{BASE}/{route_of(case, 'idva')['id']}", headers=auth(idva)).get_json()
    assert seen["status"] == "withdrawn" and "victim" not in seen


def test_a_closed_referral_shows_the_person_for_the_retention_days_then_status_only(
    client, make_key, submit, database
):
    case = submit()
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    assignment_id = route_of(case, "idva")["id"]
    client.post(f"{BASE}/{assignment_id}/accept", headers=auth(idva))
    now = dt.datetime.now(dt.UTC).isoformat()
    client.post(
        f"{BASE}/{assignment_id}/outcome", json={"outcome": "supported", "at": now}, headers=auth(idva)
    )
    assert (
        client.get(f"{BASE}/{assignment_id}", headers=auth(idva)).get_json()["victim"]["given_name"]
        == "Alexandra"
    )
    with unit_of_work(database) as session:
        assignment = session.get(Assignment, uuid.UUID(assignment_id))
        assignment.updated_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    later = client.get(f"{BASE}/{assignment_id}", headers=auth(idva)).get_json()
    assert (
        later["status"] == "closed" and "victim" not in later and later["outcome"]["outcome"] == "supported"
    )


def test_marac_sees_the_whole_referral_at_offer_and_says_why(client, make_key, submit):
    case = submit()
    marac = make_key(Role.PROVIDER, provider_id="marac-coordinator")
    offer = client.get(f"{BASE}/{route_of(case, 'marac')['id']}", headers=auth(marac)).get_json()
    assert offer["status"] == "offered" and offer["victim"]["given_name"] == "Alexandra"
    assert offer["disclosure"]["stage"] == "full" and "safeguarding" in offer["disclosure"]["reason"]
