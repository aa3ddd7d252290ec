"""Repeat victims (docs/data-lifecycle.md): a victim referred again is recognised by a keyed hash; a previous MARAC case
within 12 months escalates; coordinators see `repeat`, providers and the Board never see the match."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import update

from tests.api.cases import get_case, route_of
from tests.conftest import auth, this_month
from val.auth.roles import Role
from val.cases.models import Case
from val.db.session import unit_of_work

CASES = "/api/v1/cases"
REPEAT_RULE = "risk.repeat_victim"


def _repeat_lines(case):
    return [line for line in case["triage"]["explanation"] if line["rule"] == REPEAT_RULE]


def test_a_repeat_victim_with_a_marac_case_escalates_and_only_coordinators_see_why(
    client, submit, coordinator, make_key
):
    first = submit()
    assert first["triage"]["marac"] is True
    # The same woman, her name typed differently, moved within the same postcode district, a low DASH count.
    second = submit(
        **{
            "risk.yes_count": 3,
            "victim.family_name": " QUINTÉRRO ",
            "victim.postcode": "wr1 9zz",
            "victim.given_name": "Alex",
        }
    )
    assert second["triage"]["risk_level"] == "high" and second["triage"]["marac"] is True
    (line,) = _repeat_lines(second)
    assert "MARAC case for this victim" in line["because"]

    today = dt.date.today().isoformat()
    view, _ = get_case(client, coordinator, second["id"])
    assert view["repeat"] == {"previous_cases_12_months": 1, "last_received_on": today}
    assert get_case(client, coordinator, first["id"])[0]["repeat"] is None
    items = {c["id"]: c for c in client.get(CASES, headers=auth(coordinator)).get_json()["items"]}
    assert (
        items[second["id"]]["repeat"]["previous_cases_12_months"] == 1
        and items[first["id"]]["repeat"] is None
    )

    marac = make_key(Role.PROVIDER, provider_id="marac-coordinator")
    assignment = route_of(second, "marac")["id"]
    seen = client.get(f"/api/v1/provider/referrals/{assignment}", headers=auth(marac))
    assert seen.status_code == 200
    assert "repeat" not in seen.get_data(as_text=True).lower()
    assert all(line["rule"] != REPEAT_RULE for line in seen.get_json()["triage"]["explanation"])

    board = make_key(Role.BOARD)
    summary = client.get(
        f"/api/v1/board/compliance-summary?{this_month()}&group_by=crime_type", headers=auth(board)
    )
    assert summary.status_code == 200 and "repeat" not in summary.get_data(as_text=True)


def test_an_earlier_case_without_marac_counts_but_does_not_escalate(client, submit, coordinator):
    first = submit(**{"risk.yes_count": 3})
    assert first["triage"]["marac"] is False
    second = submit(**{"risk.yes_count": 3})
    assert second["triage"]["marac"] is False and not _repeat_lines(second)
    assert get_case(client, coordinator, second["id"])[0]["repeat"]["previous_cases_12_months"] == 1


def test_two_victims_who_share_a_name_but_not_a_date_of_birth_are_strangers(client, submit, coordinator):
    submit()
    other = submit(**{"risk.yes_count": 3, "victim.date_of_birth": "1992-03-02"})
    assert other["triage"]["marac"] is False
    assert get_case(client, coordinator, other["id"])[0]["repeat"] is None


def test_a_case_older_than_twelve_months_is_not_a_repeat(client, submit, coordinator, database):
    first = submit()
    with unit_of_work(database) as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
        session.execute(update(Case).where(Case.id == uuid.UUID(first["id"])).values(received_at=long_ago))
        session.commit()
    second = submit(**{"risk.yes_count": 3})
    assert second["triage"]["marac"] is False
    assert get_case(client, coordinator, second["id"])[0]["repeat"] is None
