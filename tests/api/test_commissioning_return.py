"""The commissioner's return over HTTP (docs/commissioning.md): per service and crime type, protected as the Board summary."""

from __future__ import annotations

from tests.api.cases import route_of
from tests.conftest import auth, this_month
from val.auth.roles import Role

RETURN = "/api/v1/board/commissioning-return"
PROVIDER = "/api/v1/provider/referrals"


def _row(figures, service, crime_type):
    return next(r for r in figures["rows"] if r["service"] == service and r["crime_type"] == crime_type)


def test_offers_acceptances_and_declines_by_reason_rounded_and_withheld(client, submit, make_key):
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    for n in range(12):
        case = submit(**{"victim.family_name": f"Person{n}", "victim.date_of_birth": f"19{70 + n}-01-01"})
        offer = route_of(case, "idva")["id"]
        if n < 7:
            answer = client.post(f"{PROVIDER}/{offer}/accept", headers=auth(idva))
        else:
            answer = client.post(
                f"{PROVIDER}/{offer}/decline",
                json={"reason": "No IDVA free this week", "reason_code": "no_capacity"},
                headers=auth(idva),
            )
        assert answer.status_code == 200, answer.get_json()
    board = make_key(Role.BOARD)
    response = client.get(f"{RETURN}?{this_month()}", headers=auth(board))
    assert response.status_code == 200
    figures = response.get_json()
    row = _row(figures, "idva", "domestic_abuse")
    # 12 offered, 7 accepted, 5 declined for capacity — published rounded to base 5.
    assert (row["offered"], row["accepted"], row["declined"], row["declined_no_capacity"]) == (10, 5, 5, 5)
    assert row["median_days_to_acceptance"] is not None and row["median_days_to_acceptance"] < 1
    assert row["median_days_to_first_contact"] is None, "nobody was reached yet: no median"
    isva = _row(figures, "isva", "sexual_violence")
    assert isva["offered"] == 0, "every service and crime type is listed, zeros included"
    assert all(
        v is None or v % 5 == 0 for r in figures["rows"] for k, v in r.items() if k.startswith(("off", "acc"))
    )
    assert "Person" not in response.get_data(as_text=True) and "No IDVA free" not in response.get_data(
        as_text=True
    )

    as_csv = client.get(f"{RETURN}.csv?{this_month()}", headers=auth(board))
    assert as_csv.mimetype == "text/csv"
    lines = as_csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("service,crime_type,offered,accepted") and lines[-1].startswith("total,")


def test_a_few_declines_are_withheld_with_what_would_reveal_them(client, submit, make_key):
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    for n in range(10):
        case = submit(**{"victim.family_name": f"Other{n}", "victim.date_of_birth": f"19{70 + n}-02-02"})
        offer = route_of(case, "idva")["id"]
        path = "accept" if n < 8 else "decline"
        body = {"reason": "Outside our area", "reason_code": "outside_area"} if path == "decline" else None
        client.post(f"{PROVIDER}/{offer}/{path}", json=body, headers=auth(idva))
    figures = client.get(f"{RETURN}?{this_month()}", headers=auth(make_key(Role.ADMIN))).get_json()
    row = _row(figures, "idva", "domestic_abuse")
    assert row["declined"] is None and row["declined_outside_area"] is None
    partition = [row[c] for c in ("offered", "accepted", "declined", "expired", "withdrawn", "open")]
    assert partition.count(None) >= 2, "offered minus the others would give the declines away"


def test_only_the_board_and_admins_and_a_sane_period(client, make_key):
    for role in (Role.COORDINATOR, Role.PROVIDER, Role.INTAKE):
        key = make_key(role, provider_id="wmwa-idva" if role == Role.PROVIDER else None)
        assert client.get(f"{RETURN}?{this_month()}", headers=auth(key)).status_code == 403
    board = make_key(Role.BOARD)
    backwards = client.get(f"{RETURN}?from=2026-02-01&to=2026-01-01", headers=auth(board))
    assert backwards.status_code == 422 and backwards.get_json()["errors"][0]["field"] == "to"
