"""The coordinator's work queue and search (docs/casework.md): priority order, pages, search terms, filters."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.api.cases import CASES
from tests.conftest import auth
from val.audit.models import AuditEvent
from val.db.session import unit_of_work

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
        "WR1",  # its district alone
        "wr 1",
        "Alexandra",  # a given name alone
        "Quinterro Alexandra",  # a name either way round
        "Quinterro, Alexandra",
        "01/03/1992",  # the date of birth, as the UK writes it or as ISO does
        "1/3/1992",
        "1992-03-01",
        "1 March 1992",
        "07700-900-123",  # the phone, however it is typed
        "(07700) 900 123",
        "7700 900123",
        "0044 7700 900123",
    ],
)
def test_search_finds_a_case_by_name_phone_postcode_or_reference(client, coordinator, submit, q):
    wanted = submit()
    submit(
        **{
            "victim.given_name": "Ruth",
            "victim.family_name": "Smith",
            "victim.date_of_birth": "1988-11-30",
            "victim.contact.phone": "+447700900999",
            "victim.postcode": "WR5 3QQ",
        }
    )
    submit(  # her sister: the same family name, her own phone, postcode and birthday
        **{
            "victim.given_name": "Beatrice",
            "victim.date_of_birth": "1994-07-14",
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
    from val.casework.schemas import CaseListItemSchema

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


def test_a_search_that_matches_many_cases_is_joined_in_the_database(client, coordinator, submit, monkeypatch):
    from val.casework.store import search

    monkeypatch.setattr(search, "SEARCH_CAP", 1)
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
