"""Issue 13: a figure never depends on whether a background job has run. Referrals imported with no worker
running — so no sweep — show their long-overdue points as missed at once, everywhere, on both databases."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from tests.conftest import auth
from val.auth.roles import Role
from val.cli import main
from val.compliance.models import CompliancePoint
from val.db.session import unit_of_work


def test_points_past_due_are_missed_in_every_figure_without_a_sweep(
    database, client, make_key, referral_body, tmp_path
):
    export = tmp_path / "export.ndjson"
    lines = []
    for n in range(6):
        body = referral_body(
            **{
                "source.reference": f"JAN/{n}",
                "reported_at": "2026-01-12T10:00:00Z",
                "offence.occurred_at": "2026-01-12T08:00:00Z",
                "consent.recorded_at": "2026-01-12T10:05:00Z",
                "victim.family_name": f"Imported{n}",
            }
        )
        lines.append(json.dumps(body))
    export.write_text("\n".join(lines) + "\n")
    imported = CliRunner().invoke(main, ["import", str(export)], env={"VAL_DATABASE_URL": database.url})
    assert imported.exit_code == 0, imported.output

    with unit_of_work(database) as session:  # stored as the intake left them: nobody swept
        stored = set(
            session.scalars(select(CompliancePoint.status).where(CompliancePoint.code != "LS_FIRST_CONTACT"))
        )
        assert stored == {"pending"}

    board = make_key(Role.BOARD)
    summary = client.get(
        "/api/v1/board/compliance-summary?from=2026-01-01&to=2026-01-31&group_by=code", headers=auth(board)
    ).get_json()
    rows = {row["group"]["code"]: row for row in summary["rows"]}
    for code in ("R3_WRITTEN_CONFIRMATION", "R4_REFERRAL_TO_SUPPORT"):
        assert rows[code]["missed"] == 5 and rows[code]["pending"] == 0, rows[code]  # 6, rounded to base 5

    coordinator = make_key(Role.COORDINATOR)
    missed = client.get(
        "/api/v1/compliance-points?status=missed&right=4", headers=auth(coordinator)
    ).get_json()
    assert len(missed["items"]) == 6 and {p["status"] for p in missed["items"]} == {"missed"}
    pending = client.get(
        "/api/v1/compliance-points?status=pending&right=4", headers=auth(coordinator)
    ).get_json()
    assert pending["items"] == []
    case_id = missed["items"][0]["case_id"]
    view = client.get(f"/api/v1/cases/{case_id}", headers=auth(coordinator)).get_json()
    r4 = next(p for p in view["compliance_points"] if p["code"] == "R4_REFERRAL_TO_SUPPORT")
    assert r4["status"] == "missed"

    report = tmp_path / "jan.html"
    CliRunner().invoke(
        main,
        ["report", "compliance", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(report)],
        env={"VAL_DATABASE_URL": database.url},
        catch_exceptions=False,
    )
    assert "0.0%" in report.read_text(), "on time: none of the missed points, shown as a rate, not withheld"
