"""`val report compliance` writes a self-contained page that a browser renders: chart and table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.browser import chromium
from val.auth.roles import Role
from val.auth.service import system_principal
from val.cli import main
from val.compliance.models import CompliancePoint
from val.compliance.service import fulfil_point, record_event
from val.db.session import unit_of_work
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.referrals.service import accept_referral
from val.rulebook import load_rulebook
from val.settings import load_settings

SETTINGS = load_settings(environ={})


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_the_report_renders_in_a_browser_with_suppression_applied(
    database, referral_body, tmp_path, monkeypatch
):
    configure_policing_areas(SETTINGS.policing_areas)
    rulebook = load_rulebook(SETTINGS.config_dir)
    with unit_of_work(database) as session:
        principal = system_principal(session, "rms", Role.INTAKE)
        session.commit()
    for n in range(16):
        body = referral_body(
            **{
                "source.reference": f"REP/{n}",
                "reported_at": "2026-06-01T10:00:00Z",
                "offence.occurred_at": "2026-06-01T09:00:00Z",
            }
        )
        with unit_of_work(database) as session:
            case = accept_referral(session, principal, ReferralSchema().load(body), rulebook).case
        with unit_of_work(database) as session:
            for point in session.scalars(select(CompliancePoint).where(CompliancePoint.case_id == case.id)):
                if point.code == "R4_REFERRAL_TO_SUPPORT":  # 11 on time, 5 late
                    day = 2 if n < 11 else 10
                    fulfil_point(
                        session, principal, point.id, dt.datetime(2026, 6, day, 10, tzinfo=dt.UTC), None
                    )
                elif point.code == "R3_WRITTEN_CONFIRMATION" and n < 6:  # 6 late, 10 still pending
                    fulfil_point(
                        session, principal, point.id, dt.datetime(2026, 6, 20, 10, tzinfo=dt.UTC), None
                    )
        if n < 2:  # two arrests: a right with too few points to publish
            with unit_of_work(database) as session:
                record_event(
                    session,
                    principal,
                    rulebook,
                    case.id,
                    "suspect_arrested",
                    dt.datetime(2026, 6, 3, 10, tzinfo=dt.UTC),
                    {},
                    None,
                )

    monkeypatch.setenv("VAL_DATABASE_URL", database.url)
    out = tmp_path / "compliance.html"
    result = CliRunner().invoke(
        main,
        ["report", "compliance", "--from", "2026-06-01", "--to", "2026-06-30", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no external resources"
    assert "REP/" not in html and "1992-03-01" not in html

    dom = chromium("--dump-dom", out.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Victims' Code compliance" in dom.stdout or "Victims’ Code compliance" in dom.stdout
    assert dom.stdout.count("<rect") >= 1, "the on-time bar for right 4 is drawn"
    # 11 of 16 met on time; published as counts rounded to base 5 (10 met, 5 late), so the rate is 10 of 15.
    assert "Right 4" in dom.stdout and "66.7%" in dom.stdout
    assert "Right 3" in dom.stdout and "0.0%" in dom.stdout  # 6 met late, none on time
    # Right 6: two arrest updates, missed by now — too few to publish: withheld, and so is any rate.
    assert "Right 6" in dom.stdout and "withheld: too few points" in dom.stdout
    assert "All agencies" in dom.stdout and "Police" in dom.stdout

    screenshot = tmp_path / "report.png"
    shot = chromium(f"--screenshot={screenshot}", "--window-size=1100,1200", out.as_uri())
    assert shot.returncode == 0 and screenshot.stat().st_size > 10_000
