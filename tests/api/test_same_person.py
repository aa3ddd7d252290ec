"""Same-person links: confirmed only with a reason when the victims' recorded details differ, undone with a
reason (kept, and audited on both cases), and shown on both cases with who linked them and when. A link joins
the cases in a subject access export, so a careless one gave a stranger's case away."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.cases import CASES
from tests.conftest import auth
from val.audit.models import AuditEvent
from val.auth.roles import Role
from val.db.session import unit_of_work


def _refer(client, intake, referral_body, reference, **victim):
    body = referral_body(
        **{"source.reference": reference, **{f"victim.{name}": value for name, value in victim.items()}}
    )
    response = client.post("/api/v1/referrals", json=body, headers=auth(intake))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_linking_cases_whose_details_differ_needs_a_reason_and_both_cases_show_the_link(
    client, make_key, referral_body
):
    intake, coordinator = make_key(Role.INTAKE), make_key(Role.COORDINATOR, name="alex.links")
    first = _refer(client, intake, referral_body, "SP/1", date_of_birth="1981-04-17", family_name="Orme")
    other = _refer(client, intake, referral_body, "SP/2", date_of_birth="1979-02-02", family_name="Orme")
    link = f"{CASES}/{first}/same-person"
    blind = client.post(link, json={"case_id": other}, headers=auth(coordinator))
    assert blind.status_code == 422 and blind.get_json()["errors"][0]["field"] == "reason"
    reason = "Date of birth mistyped by the police; confirmed with her by phone"
    made = client.post(link, json={"case_id": other, "reason": reason}, headers=auth(coordinator))
    assert made.status_code == 201, made.get_json()
    for case in (first, other):
        seen = client.get(f"{CASES}/{case}/same-person", headers=auth(coordinator)).get_json()
        assert {c["id"] for c in seen["items"]} == {first, other}
        assert [(x["confirmed_by"], x["reason"]) for x in seen["links"]] == [("alex.links", reason)]
        assert seen["links"][0]["confirmed_at"]


def test_a_link_is_undone_with_a_reason_audited_on_both_cases_and_can_be_made_again(
    client, make_key, referral_body, database
):
    intake, coordinator = make_key(Role.INTAKE), make_key(Role.COORDINATOR)
    same = {"date_of_birth": "1990-05-05", "family_name": "Pellow"}
    first = _refer(client, intake, referral_body, "SP/3", **same)
    other = _refer(client, intake, referral_body, "SP/4", **same)
    linked = client.post(f"{CASES}/{first}/same-person", json={"case_id": other}, headers=auth(coordinator))
    assert linked.status_code == 201, "the same recorded details need no reason"
    undo = f"{CASES}/{other}/same-person/{first}/undo"
    assert client.post(undo, json={"reason": "short"}, headers=auth(coordinator)).status_code == 422
    undone = client.post(undo, json={"reason": "A different Pellow: her sister"}, headers=auth(coordinator))
    assert undone.status_code == 200 and [c["id"] for c in undone.get_json()["items"]] == [other]
    for case in (first, other):
        seen = client.get(f"{CASES}/{case}/same-person", headers=auth(coordinator)).get_json()
        assert [c["id"] for c in seen["items"]] == [case] and seen["links"] == []
    assert (
        client.post(
            undo, json={"reason": "A different Pellow: her sister"}, headers=auth(coordinator)
        ).status_code
        == 404
    )
    with unit_of_work(database) as session:
        audited = set(
            session.scalars(
                select(AuditEvent.entity_id).where(AuditEvent.action == "case.same_person_undone")
            )
        )
    assert audited == {first, other}
    again = client.post(f"{CASES}/{first}/same-person", json={"case_id": other}, headers=auth(coordinator))
    assert again.status_code == 201 and len(again.get_json()["links"]) == 1
