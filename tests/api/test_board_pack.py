"""`GET /api/v1/board/pack`: the Board pack as one HTML page — the Board's and admins' only, protected, and
saying which figures are withheld and which are simply none."""

from __future__ import annotations

import re

from tests.conftest import auth, this_month
from val.auth.roles import Role

PACK = "/api/v1/board/pack"


def test_the_pack_is_one_self_contained_page_for_the_board(client, submit, make_key):
    for n in range(3):
        submit(**{"victim.family_name": f"Packed{n}", "victim.date_of_birth": f"198{n}-05-05"})
    query = this_month()
    for role in (Role.BOARD, Role.ADMIN):
        response = client.get(f"{PACK}?{query}", headers=auth(make_key(role)))
        assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for section in (
        "met on time, by right and month",
        "Volumes",
        "Timeliness",
        "Missed points, by agency",
        "commissioner's return in brief",
    ):
        assert section in page
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "no external resources"
    # Three referrals: too few to publish, and said so; rights with nothing to count say none.
    assert "withheld" in page and ">none<" in page
    for personal in ("Packed", "Quinterro", "+447700900123", "WR1 2AB", "VAL-"):
        assert personal not in page
    assert page.count("<svg") == page.count("<title id=") and page.count("<svg") >= 9
    assert "@page { size: A4" in page


def test_only_the_board_and_admins_and_a_sane_period(client, make_key):
    for role in (Role.COORDINATOR, Role.INTAKE):
        assert (
            client.get(f"{PACK}?from=2026-01-01&to=2026-01-31", headers=auth(make_key(role))).status_code
            == 403
        )
    board = make_key(Role.BOARD)
    assert client.get(f"{PACK}?from=2026-02-01&to=2026-01-01", headers=auth(board)).status_code == 422
    too_long = client.get(f"{PACK}?from=2020-01-01&to=2026-12-31", headers=auth(board))
    assert too_long.status_code == 422 and too_long.get_json()["errors"][0]["field"] == "to"
    part_month = client.get(f"{PACK}?from=2026-01-01&to=2026-01-30", headers=auth(board))
    assert part_month.status_code == 422 and part_month.get_json()["errors"][0]["field"] == "to"
    for whole in ("2026-01-01&to=2026-03-31", "2026-01-01&to=2026-12-31", "2026-04-01&to=2027-03-31"):
        assert client.get(f"{PACK}?from={whole}", headers=auth(board)).status_code == 200, whole
