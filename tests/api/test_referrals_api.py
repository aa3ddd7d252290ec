"""POST /api/v1/referrals over HTTP: the contract, idempotency, duplicates, and every bad input a 4xx."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import auth
from val.auth.roles import Role
from val.cases.models import Case
from val.db.session import unit_of_work

URL = "/api/v1/referrals"


def post(client, key, body, **headers):
    return client.post(URL, json=body, headers=auth(key, **headers))


def cases(database) -> int:
    with unit_of_work(database) as session:
        return session.scalar(select(func.count()).select_from(Case))


def test_the_domain_example_is_accepted_high_risk_marac_and_enhanced(client, make_key, referral_body):
    response = post(client, make_key(Role.INTAKE), referral_body())
    assert response.status_code == 201
    case = response.get_json()
    assert case["triage"]["risk_level"] == "high"
    assert case["triage"]["marac"] is True
    assert case["triage"]["enhanced_rights"] is True
    assert case["triage"]["enhanced_reasons"] == ["most_serious_crime"]
    assert case["triage"]["consent_model"] == "explicit"
    assert case["triage"]["rules_version"].startswith("sha256:")
    assert {"rule", "because"} <= set(case["triage"]["explanation"][0])
    routes = {r["service"]: r for r in case["routes"]}
    assert set(routes) == {"idva", "marac"}
    assert (routes["idva"]["provider"], routes["idva"]["status"], routes["idva"]["rule"]) == (
        "wmwa-idva",
        "offered",
        "da_high_risk_adult",
    )
    assert routes["marac"]["provider"] == "marac-coordinator"
    # One working day to answer, by 17:00 London time.
    assert routes["idva"]["respond_by"].endswith("T17:00:00+00:00")
    points = {p["code"]: p for p in case["compliance_points"]}
    assert set(points) == {"R3_WRITTEN_CONFIRMATION", "R4_REFERRAL_TO_SUPPORT", "LS_FIRST_CONTACT"}
    # Reported Friday 14 November 2025: R4 is due two working days later, R3 five.
    assert (points["R4_REFERRAL_TO_SUPPORT"]["due_on"], points["R4_REFERRAL_TO_SUPPORT"]["right"]) == (
        "2025-11-18",
        4,
    )
    assert points["R3_WRITTEN_CONFIRMATION"]["due_on"] == "2025-11-21"
    # The crime was reported a year ago: R3 and R4 fell due long since and read as missed at once; first
    # contact runs from today's receipt and is still pending.
    assert {code: p["status"] for code, p in points.items()} == {
        "R3_WRITTEN_CONFIRMATION": "missed",
        "R4_REFERRAL_TO_SUPPORT": "missed",
        "LS_FIRST_CONTACT": "pending",
    }
    assert case["reference"].startswith("VAL-") and case["status"] == "routed"
    assert case["duplicate_of"] is None
    assert "victim" not in case, "the intake response does not echo personal data"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"victim.date_of_birth": "2999-01-01"}, "victim.date_of_birth"),
        ({"victim.date_of_birth": "2025-11-15"}, "victim.date_of_birth"),
        ({"victim.date_of_birth": "01/03/1992"}, "victim.date_of_birth"),
        ({"reported_at": "2999-01-01T00:00:00Z"}, "reported_at"),
        ({"reported_at": "2025-11-14T14:00:00"}, "reported_at"),
        ({"offence.occurred_at": "2025-11-15T12:30:00Z"}, "offence.occurred_at"),
        ({"offence.flags": ["domestic_abuse", "arson"]}, "offence.flags.1"),
        ({"offence.hate_strands": ["height"]}, "offence.hate_strands.0"),
        ({"offence.rtc_outcome": "dented"}, "offence.rtc_outcome"),
        ({"offence.home_office_code": "ZZZ-9"}, "offence.home_office_code"),
        ({"victim.policing_area": "gloucestershire"}, "victim.policing_area"),
        ({"victim.relationship": "friend"}, "victim.relationship"),
        ({"victim.postcode": "NOT A CODE"}, "victim.postcode"),
        ({"victim.contact.email": "not-an-email"}, "victim.contact.email"),
        ({"victim.children_in_household": -1}, "victim.children_in_household"),
        ({"victim.nickname": "Al"}, "victim.nickname"),
        ({"victim.contact.pager": "123"}, "victim.contact.pager"),
        ({"consent.support_referral": "maybe"}, "consent.support_referral"),
        ({"risk.tool": "gut_feeling"}, "risk.tool"),
        ({"risk.yes_count": 25}, "risk.yes_count"),
        ({"risk.answers": {"25": "yes"}}, "risk.answers"),
        ({"risk.answers": {"3": "perhaps"}}, "risk.answers.3.value"),
        ({"risk.assessed_level": "extreme"}, "risk.assessed_level"),
        ({"risk.last_marac_referral_on": "2999-01-01"}, "risk.last_marac_referral_on"),
        ({"offence.flags": "domestic_abuse"}, "offence.flags"),
        ({"unexpected": True}, "unexpected"),
    ],
)
def test_each_bad_field_is_a_422_problem_naming_it(
    client, make_key, referral_body, database, overrides, field
):
    response = post(client, make_key(Role.INTAKE), referral_body(**overrides))
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422 and problem["title"] and problem["instance"] == URL
    assert field in [e["field"] for e in problem["errors"]], problem["errors"]
    assert cases(database) == 0


@pytest.mark.parametrize(
    "path",
    [
        "source",
        "reported_at",
        "offence.flags",
        "victim.date_of_birth",
        "victim.policing_area",
        "consent.support_referral",
    ],
)
def test_required_fields_are_named_when_missing(client, make_key, referral_body, delete, path):
    response = post(client, make_key(Role.INTAKE), referral_body(**{path: delete}))
    assert response.status_code == 422
    assert path in [e["field"] for e in response.get_json()["errors"]]


def test_optional_fields_may_be_left_out(client, make_key, referral_body, delete):
    body = referral_body(
        **{"risk": delete, "offence.home_office_code": delete, "offence.occurred_at": delete}
    )
    for field in ("phone", "email", "safe_times", "voicemail_ok", "phone_known_to_suspect"):
        body["victim"]["contact"].pop(field)
    response = post(client, make_key(Role.INTAKE), body)
    assert response.status_code == 201
    assert response.get_json()["triage"]["risk_level"] == "standard"


def test_a_body_that_is_not_json_is_400(client, make_key, database):
    response = client.post(
        URL, data="{not json", content_type="application/json", headers=auth(make_key("intake"))
    )
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert cases(database) == 0


def test_a_body_of_another_media_type_is_415(client, make_key):
    response = client.post(
        URL, data="a=b", content_type="application/x-www-form-urlencoded", headers=auth(make_key("intake"))
    )
    assert response.status_code == 415 and response.mimetype == "application/problem+json"


def test_a_json_array_instead_of_an_object_is_422(client, make_key):
    response = client.post(URL, json=[1, 2], headers=auth(make_key("intake")))
    assert response.status_code == 422


def test_an_oversized_body_is_413(client, make_key, referral_body):
    body = referral_body(**{"offence.description": "x" * 70_000})
    response = post(client, make_key(Role.INTAKE), body)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_a_coordinator_submits_referrals_as_the_coordinator_source_only(client, make_key, referral_body):
    """A coordinator key could send for any system, and so take a genuine police referral's duplicate key
    before the police sent it."""
    coordinator, intake = make_key(Role.COORDINATOR), make_key(Role.INTAKE)
    entered = referral_body(**{"source.system": "coordinator", "source.reference": "CALL/1"})
    assert post(client, coordinator, entered).status_code == 201
    claimed = post(client, coordinator, referral_body(**{"source.reference": "POL/9"}))
    assert claimed.status_code == 403 and claimed.get_json()["errors"][0]["field"] == "source.system"
    assert "'coordinator'" in claimed.get_json()["detail"]
    genuine = post(client, intake, referral_body(**{"source.reference": "POL/9"}))
    assert genuine.status_code == 201, "the police referral is a case of its own, not a duplicate"


@pytest.mark.parametrize("role", [Role.BOARD, Role.ADMIN])
def test_other_roles_may_not_submit_referrals(client, make_key, referral_body, role):
    response = post(client, make_key(role), referral_body())
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_provider_credentials_may_not_submit_referrals(client, make_key, referral_body):
    response = post(client, make_key(Role.PROVIDER, provider_id="wmwa-idva"), referral_body())
    assert response.status_code == 403


def test_without_a_key_is_401_and_a_revoked_key_fails_at_once(client, make_key, referral_body, database):
    from val.auth.service import revoke_credential

    assert client.post(URL, json=referral_body()).status_code == 401
    assert client.post(URL, json=referral_body(), headers={"Authorization": "Basic abc"}).status_code == 401
    key = make_key(Role.INTAKE, name="soon-gone")
    with unit_of_work(database) as session:
        revoke_credential(session, "soon-gone")
        session.commit()
    response = post(client, key, referral_body())
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_intake_credential_sees_the_status_of_its_own_referrals_only(client, make_key, referral_body):
    mine, theirs = make_key(Role.INTAKE), make_key(Role.INTAKE)
    case_id = post(client, mine, referral_body()).get_json()["id"]
    own = client.get(f"{URL}/{case_id}", headers=auth(mine))
    assert own.status_code == 200
    assert own.get_json()["status"] == "routed" and own.get_json()["id"] == case_id
    assert "triage" not in own.get_json() and "victim" not in own.get_json()
    assert client.get(f"{URL}/{case_id}", headers=auth(theirs)).status_code == 404
    assert client.get(f"{URL}/{uuid.uuid4()}", headers=auth(mine)).status_code == 404


def test_consent_not_asked_for_domestic_abuse_awaits_consent(client, make_key, referral_body):
    response = post(client, make_key(Role.INTAKE), referral_body(**{"consent.support_referral": "not_asked"}))
    assert response.get_json()["status"] == "awaiting_consent"


def test_a_child_exploitation_referral_from_a_partner_without_a_home_office_code(
    client, make_key, referral_body, delete
):
    body = referral_body(
        **{
            "offence.flags": ["child_criminal_exploitation"],
            "offence.home_office_code": delete,
            "risk": delete,
            "victim.date_of_birth": "2011-06-01",
            "consent.support_referral": "not_asked",
        }
    )
    case = post(client, make_key(Role.INTAKE), body).get_json()
    assert case["triage"]["crime_types"] == ["child_criminal_exploitation"]
    assert case["triage"]["enhanced_reasons"] == ["vulnerable"]
    assert case["triage"]["consent_model"] == "opt_out" and case["status"] == "routed"
    assert [(r["service"], r["provider"]) for r in case["routes"]] == [("climb", "climb-childrens-society")]


def test_the_explanation_says_where_the_victim_went_and_why(client, make_key, referral_body):
    case = client.post(
        "/api/v1/referrals",
        json=referral_body(**{"consent.support_referral": "not_asked"}),
        headers=auth(make_key(Role.INTAKE)),
    ).get_json()
    explained = {e["rule"]: e["because"] for e in case["triage"]["explanation"]}
    assert "marac-coordinator" in explained["route.da_high_risk_adult"]
    assert "idva waits" in explained["route.held_for_consent"]


def test_a_duplicate_of_another_credentials_referral_reveals_only_that_it_is_one(
    client, make_key, referral_body
):
    first, second = make_key(Role.INTAKE), make_key(Role.INTAKE)
    original = client.post("/api/v1/referrals", json=referral_body(), headers=auth(first)).get_json()
    again = client.post("/api/v1/referrals", json=referral_body(), headers=auth(second))
    assert again.status_code == 200
    assert again.get_json() == {"duplicate_of": original["id"], "reference": original["reference"]}
    own = client.post("/api/v1/referrals", json=referral_body(), headers=auth(first)).get_json()
    assert own["duplicate_of"] == original["id"] and own["triage"]["marac"] is True
    batch = client.post("/api/v1/referral-batches", json=[referral_body()], headers=auth(second)).get_json()
    assert batch["results"] == [
        {"line": 1, "outcome": "duplicate", "id": original["id"], "reference": original["reference"]}
    ]


def test_an_intake_key_sends_only_for_its_own_record_systems(client, make_key, referral_body):
    genuine = make_key(Role.INTAKE, source_systems=("police-rms",))
    decoy = make_key(Role.INTAKE, source_systems=("partner-portal",))
    claimed = client.post("/api/v1/referrals", json=referral_body(), headers=auth(decoy))
    assert claimed.status_code == 403 and claimed.mimetype == "application/problem+json"
    assert claimed.get_json()["errors"][0]["field"] == "source.system"
    in_a_batch = client.post(
        "/api/v1/referral-batches", json=[referral_body()], headers=auth(decoy)
    ).get_json()
    assert in_a_batch["results"][0]["outcome"] == "rejected" and in_a_batch["created"] == 0
    assert in_a_batch["results"][0]["errors"][0]["field"] == "source.system"
    own = client.post(
        "/api/v1/referrals", json=referral_body(**{"source.system": " Partner-Portal "}), headers=auth(decoy)
    )
    assert own.status_code == 201, "its own system, however it is cased"
    real = client.post("/api/v1/referrals", json=referral_body(), headers=auth(genuine))
    assert real.status_code == 201 and real.get_json()["duplicate_of"] is None, "the decoy claimed nothing"


def test_a_sending_system_never_sees_a_providers_decline_reason(client, make_key, referral_body):
    intake, idva = make_key(Role.INTAKE), make_key(Role.PROVIDER, provider_id="wmwa-idva")
    case = client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake)).get_json()
    offer = next(r for r in case["routes"] if r["service"] == "idva")
    reason = {"reason": "Known to our worker's family; conflict of interest."}
    declined = client.post(
        f"/api/v1/provider/referrals/{offer['id']}/decline", json=reason, headers=auth(idva)
    )
    assert declined.status_code == 200, declined.get_json()
    again = client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake))
    assert again.status_code == 200 and again.get_json()["duplicate_of"] == case["id"]
    assert "conflict of interest" not in again.get_data(as_text=True)
    assert all("decline_reason" not in r for r in again.get_json()["routes"])
    coordinator = make_key(Role.COORDINATOR)
    seen = client.get(f"/api/v1/cases/{case['id']}", headers=auth(coordinator)).get_json()
    assert reason["reason"] in {r["decline_reason"] for r in seen["routes"]}, "coordinators still see it"


def test_a_sender_finds_its_own_referral_by_val_reference_or_its_own_reference(
    client, make_key, referral_body
):
    sender, other = make_key(Role.INTAKE), make_key(Role.INTAKE)
    case = client.post(
        "/api/v1/referrals", json=referral_body(**{"source.reference": "22/777/26"}), headers=auth(sender)
    ).get_json()
    for query in (
        f"reference={case['reference']}",
        f"reference={case['reference'].lower()}",
        "source_reference=22/777/26",
    ):
        found = client.get(f"/api/v1/referrals?{query}", headers=auth(sender))
        assert found.status_code == 200, found.get_json()
        assert [r["id"] for r in found.get_json()["items"]] == [case["id"]], query
        assert found.get_json()["items"][0]["status"] == case["status"]
    for query in (f"reference={case['reference']}", "source_reference=22/777/26"):
        assert client.get(f"/api/v1/referrals?{query}", headers=auth(other)).get_json()["items"] == []
    for query in ("", f"reference={case['reference']}&source_reference=22/777/26"):
        refused = client.get(f"/api/v1/referrals?{query}", headers=auth(sender))
        assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "reference"
    assert (
        client.get("/api/v1/referrals?reference=VAL-1999-000001", headers=auth(sender)).get_json()["items"]
        == []
    )


def test_a_referral_lookup_takes_a_limit_like_every_list(client, make_key, referral_body):
    sender = make_key(Role.INTAKE)
    # One police record naming three victims (a victim is known by their date of birth within a record).
    for victim, born in (("Alexandra", "1992-03-01"), ("Beatrice", "1994-07-14"), ("Carys", "1998-01-20")):
        body = referral_body(
            **{"source.reference": "22/888/26", "victim.given_name": victim, "victim.date_of_birth": born}
        )
        assert client.post("/api/v1/referrals", json=body, headers=auth(sender)).status_code == 201
    everything = client.get("/api/v1/referrals?source_reference=22/888/26", headers=auth(sender)).get_json()
    assert len(everything["items"]) == 3
    two = client.get("/api/v1/referrals?source_reference=22/888/26&limit=2", headers=auth(sender)).get_json()
    assert [r["id"] for r in two["items"]] == [r["id"] for r in everything["items"]][:2]
    refused = client.get("/api/v1/referrals?source_reference=22/888/26&limit=0", headers=auth(sender))
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "limit"
