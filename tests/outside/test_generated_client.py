"""The OpenAPI document as a client generator reads it: openapi-python-client generates a client from it, and
that client runs a coordinator's day against VAL over HTTP — every answer parsed into its model — with what a
provider sees of the offer before and after, and the Board's figures as JSON and as CSV."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.outside_client import serving
from tests.conftest import now_iso
from val.auth.roles import Role

BIN = Path(sys.executable).parent


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_generated_client_runs_a_coordinators_day(
    app, client, make_key, referral_body, tmp_path, monkeypatch
):
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(client.get("/openapi.json").get_json()))
    generated = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "val_client"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": f"{BIN}:/usr/bin:/bin"},
    )
    assert generated.returncode == 0, generated.stdout[-3000:] + generated.stderr[-3000:]
    # One part is left out, by design: the NDJSON form of a batch (its JSON form is generated).
    said = generated.stdout + generated.stderr
    warnings = [line for line in said.splitlines() if line.startswith("WARNING parsing")]
    assert warnings == ["WARNING parsing POST /api/v1/referral-batches within referrals."], said
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "val_client" or m.startswith("val_client.")]:
        del sys.modules[name]
    vc = importlib.import_module("val_client")
    api = lambda path: importlib.import_module(f"val_client.api.{path}")  # noqa: E731
    models = importlib.import_module("val_client.models")

    intake, coordinator = make_key(Role.INTAKE), make_key(Role.COORDINATOR, name="jo.generated")
    idva_key, board_key = make_key(Role.PROVIDER, provider_id="wmwa-idva"), make_key(Role.BOARD)
    with serving(app) as base_url:
        sender = vc.AuthenticatedClient(base_url=base_url, token=intake)
        body = referral_body(
            **{
                "reported_at": now_iso(30),
                "offence.occurred_at": now_iso(90),
                "consent.recorded_at": now_iso(30),
            }
        )
        case = api("referrals.post_referrals").sync(client=sender, body=models.Referral.from_dict(body))
        assert isinstance(case, models.Case), case
        idva_route = next(r for r in case.routes if r.service == "idva")
        idva = vc.AuthenticatedClient(base_url=base_url, token=idva_key)
        offer = api("provider.get_provider_referral").sync(client=idva, assignment_id=idva_route.id)
        assert isinstance(offer, models.ProviderReferral) and offer.disclosure.stage == "offer", offer
        assert offer.victim.age_band and isinstance(offer.victim.given_name, vc.types.Unset)
        jo = vc.AuthenticatedClient(base_url=base_url, token=coordinator)

        page = api("cases.get_cases").sync(client=jo, q="Alexandra Quinterro")
        assert isinstance(page, models.CasePage) and [str(i.id) for i in page.items] == [str(case.id)]
        assert page.items[0].victim_name == "Alexandra Quinterro"
        mine = api("cases.patch_case_detail").sync(
            client=jo, case_id=case.id, body=models.CasePatch(owner="me")
        )
        assert isinstance(mine, models.CoordinatorCase), mine
        attempt = models.AttemptIn.from_dict({"at": now_iso(), "channel": "phone", "outcome": "reached"})
        reached = api("cases.post_contact_attempts").sync(client=jo, case_id=case.id, body=attempt)
        assert isinstance(reached, models.AttemptOut), reached
        note = api("cases.post_notes").sync(
            client=jo, case_id=case.id, body=models.NoteIn(text="Safe after 18:00.")
        )
        assert isinstance(note, models.NoteOut), note
        read = api("cases.get_case_detail").sync_detailed(client=jo, case_id=case.id)
        etag = read.headers["ETag"]
        unsafe = models.CasePatch.from_dict({"contact": {"safe_to_call": False}})
        changed = api("cases.patch_case_detail").sync(client=jo, case_id=case.id, body=unsafe, if_match=etag)
        assert isinstance(changed, models.CoordinatorCase), changed
        close = models.Close.from_dict({"outcome": "supported", "at": now_iso(), "withdraw_open": True})
        closed = api("cases.post_close_case").sync(client=jo, case_id=case.id, body=close)
        assert isinstance(closed, models.CoordinatorCase) and closed.status == "closed", closed
        timeline = api("cases.get_timeline").sync(client=jo, case_id=case.id)
        kinds = {item.kind for item in timeline.items}
        assert {"contact_attempt", "note", "contact_changed", "closed"} <= kinds
        # Closing withdrew the offer: the provider now sees the status and why, nothing of the victim.
        gone = api("provider.get_provider_referral").sync(client=idva, assignment_id=idva_route.id)
        assert gone.status == "withdrawn" and isinstance(gone.victim, vc.types.Unset), gone
        assert gone.outcome.withdrawn == "case closed by a coordinator"

        board = vc.AuthenticatedClient(base_url=base_url, token=board_key)
        first = dt.date.today().replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        summary = api("compliance.get_compliance_summary").sync(client=board, from_=first, to=last)
        assert isinstance(summary, models.Summary) and summary.period.from_ == first, summary
        as_csv = api("compliance.get_compliance_summary_csv").sync(client=board, from_=first, to=last)
        assert isinstance(as_csv, str) and as_csv.splitlines()[0].startswith("right,"), as_csv
        figures = api("commissioning.get_commissioning_return").sync(client=board, from_=first, to=last)
        assert isinstance(figures, models.Return) and figures.total.service is None, figures
        return_csv = api("commissioning.get_commissioning_return_csv").sync(
            client=board, from_=first, to=last
        )
        assert return_csv.splitlines()[0].startswith("service,crime_type,"), return_csv
        refused = api("cases.get_case_detail").sync(client=sender, case_id=case.id)
        assert isinstance(refused, models.Problem) and refused.status == 403
    shutil.rmtree(tmp_path / "val_client")
