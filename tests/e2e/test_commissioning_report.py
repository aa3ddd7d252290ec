"""`val report return` writes the commissioner's return as a self-contained page a browser renders."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from tests.api.cases import route_of
from tests.browser import chromium
from tests.conftest import auth
from val.auth.roles import Role
from val.cli import main


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_the_return_renders_in_a_browser_with_its_chart_and_tables(
    database, client, submit, make_key, tmp_path, monkeypatch
):
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva")
    for n in range(15):
        case = submit(**{"victim.family_name": f"Browser{n}", "victim.date_of_birth": f"19{60 + n}-03-03"})
        offer = route_of(case, "idva")["id"]
        if n < 10:
            client.post(f"/api/v1/provider/referrals/{offer}/accept", headers=auth(idva))
        else:
            client.post(
                f"/api/v1/provider/referrals/{offer}/decline",
                json={"reason": "Full this week", "reason_code": "no_capacity"},
                headers=auth(idva),
            )
    monkeypatch.setenv("VAL_DATABASE_URL", database.url)
    out = tmp_path / "return.html"
    first = dt.date.today().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    result = CliRunner().invoke(
        main,
        ["report", "return", "--from", first.isoformat(), "--to", last.isoformat(), "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no external resources"
    assert "Browser" not in html and "Full this week" not in html

    dom = chromium("--dump-dom", out.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = dom.stdout
    assert "Commissioner’s return" in page or "Commissioner's return" in page
    assert "Referrals offered to providers, by service" in page, "the chart has a title"
    assert page.count("<rect") >= 2, "accepted and declined parts of the IDVA bar"
    assert "Independent Domestic Violence Advisers (IDVA)" in page and "Domestic abuse" in page
    assert "No capacity" in page and "All services" in page

    screenshot = tmp_path / "return.png"
    shot = chromium(f"--screenshot={screenshot}", "--window-size=1100,1400", out.as_uri())
    assert shot.returncode == 0 and screenshot.stat().st_size > 10_000
