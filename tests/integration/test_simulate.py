"""`val simulate` on both databases: the period's cases replayed through a proposed directory, nothing written."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from click.testing import CliRunner
from sqlalchemy import func, select, update

from tests.conftest import auth
from val.auth.roles import Role
from val.cases.models import Case
from val.cli import main
from val.db.session import unit_of_work
from val.routing.models import Assignment
from val.settings import load_settings

CONFIG = load_settings(environ={}).config_dir


def test_halo_across_west_mercia_is_replayed_exactly_and_nothing_is_written(
    database, client, make_key, referral_body, tmp_path
):
    intake = make_key(Role.INTAKE)
    made = []
    for n, area in enumerate(["herefordshire"] * 3 + ["south_worcestershire"] * 2 + ["shropshire"]):
        body = referral_body(
            **{
                "source.reference": f"SIM/{n}",
                "offence.flags": [],
                "offence.hate_strands": ["race"],
                "victim.policing_area": area,
                "victim.family_name": f"Sim{n}",
                "risk": None,
            }
        )
        response = client.post("/api/v1/referrals", json=body, headers=auth(intake))
        assert response.status_code == 201, response.get_json()
        made.append(response.get_json())
    with unit_of_work(database) as session:  # the Shropshire case was received last year: not in the period
        last_year = dt.datetime.now(dt.UTC) - dt.timedelta(days=365)
        session.execute(
            update(Case).where(Case.id == uuid.UUID(made[-1]["id"])).values(received_at=last_year)
        )
    with unit_of_work(database) as session:
        before = session.scalar(select(func.count()).select_from(Assignment))

    proposed = tmp_path / "providers.toml"
    proposed.write_text(
        (CONFIG / "providers.toml")
        .read_text()
        .replace('policing_areas = ["south_worcestershire"]', 'policing_areas = "all"')
    )
    today = dt.date.today().isoformat()
    result = CliRunner().invoke(
        main,
        ["simulate", "--providers", str(proposed), "--from", today, "--to", today, "--json"],
        env={"VAL_DATABASE_URL": database.url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    offers = {
        (o["service"], o["provider"]): (o["today"], o["proposed"], o["difference"]) for o in figures["offers"]
    }
    assert offers == {
        ("hate_crime_advocacy", "halo-south-worcs"): (2, 5, 3),
        ("victim_care", "val-core"): (3, 0, -3),
    }
    assert figures["cases"] == 5 and figures["changed_cases_by_crime_type"] == {"hate_crime": 3}
    with unit_of_work(database) as session:
        assert session.scalar(select(func.count()).select_from(Assignment)) == before, "nothing written"

    table = CliRunner().invoke(
        main,
        ["simulate", "--providers", str(proposed), "--from", today, "--to", today],
        env={"VAL_DATABASE_URL": database.url},
        catch_exceptions=False,
    )
    assert "hate_crime_advocacy / halo-south-worcs" in table.output and "+3" in table.output
    assert "5 cases replayed; 3 would be routed differently" in table.output
    assert "Sim" not in table.output and "Sim" not in result.output, "counts only, never a person"


def test_simulate_needs_something_proposed(database):
    result = CliRunner().invoke(
        main,
        ["simulate", "--from", "2026-01-01", "--to", "2026-01-31"],
        env={"VAL_DATABASE_URL": database.url},
    )
    assert result.exit_code != 0 and "--routing, --providers or both" in result.output
