"""The data lifecycle (docs/data-lifecycle.md) on both databases: retention anonymises closed cases past the period and
keeps every Board figure; the subject access export holds everything about a victim across matched cases."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import JSON, String, Text, inspect, select, text, update

from tests.conftest import auth, now_iso
from val.audit.models import AuditEvent
from val.auth.roles import Role
from val.cases.models import Case
from val.cli import main
from val.compliance.store import GROUP_COLUMNS, raw_counts
from val.db.session import unit_of_work
from val.models import Base

PEOPLE = [  # each victim's own values, so a scan can tell whose data is left where
    ("Oriel", "Vantablack", "+447700900201", "oriel@example.org", "WR5 3QQ", "1981-04-17"),
    ("Perpetua", "Quillfeather", "+447700900202", "perpetua@example.org", "HR4 9XY", "1979-11-02"),
    ("Zebedee", "Marchbanks", "+447700900203", "zeb@example.org", "SY3 8HQ", "1990-06-30"),
]


@pytest.fixture
def cases(client, make_key, referral_body):
    """Three victims referred, worked and closed — the first twice (a repeat victim) — plus one case still open."""
    intake, coordinator = make_key(Role.INTAKE), make_key(Role.COORDINATOR, name="sam.coordinator")
    made = []
    references = itertools.count(1)
    for given, family, phone, email, postcode, born in [*PEOPLE, PEOPLE[0]]:
        body = referral_body(
            **{
                "source.reference": f"RET/{next(references)}",
                "reported_at": now_iso(30),
                "offence.occurred_at": now_iso(90),
                "offence.description": f"Assault on {given} {family} at home",
                "consent.recorded_at": now_iso(30),
                "victim.given_name": given,
                "victim.family_name": family,
                "victim.contact.phone": phone,
                "victim.contact.email": email,
                "victim.postcode": postcode,
                "victim.date_of_birth": born,
            }
        )
        case = client.post("/api/v1/referrals", json=body, headers=auth(intake)).get_json()
        path = f"/api/v1/cases/{case['id']}"
        client.post(
            f"{path}/notes", json={"text": f"{given} asked us to ring after six"}, headers=auth(coordinator)
        )
        attempted = client.post(
            f"{path}/contact-attempts",
            json={"at": now_iso(0), "channel": "phone", "outcome": "reached"},
            headers=auth(coordinator),
        )
        assert attempted.status_code == 201, attempted.get_json()
        closed = client.post(
            f"{path}/close",
            json={
                "outcome": "supported",
                "at": now_iso(0),
                "reason": f"{family} is safe now",
                "withdraw_open": True,
            },
            headers=auth(coordinator),
        )
        assert closed.status_code == 200, closed.get_json()
        made.append(case)
    open_case = client.post(
        "/api/v1/referrals",
        json=referral_body(**{"source.reference": "RET/open", "victim.family_name": "Stillopen"}),
        headers=auth(intake),
    ).get_json()
    return made, open_case


def _age(database, case_ids, years):
    with unit_of_work(database) as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=365 * years + 2)
        session.execute(update(Case).where(Case.id.in_(case_ids)).values(closed_at=long_ago))


def _figures(database):
    """Every Board grouping, one and two dimensions at a time, unrounded: what retention must not change."""
    period = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    with unit_of_work(database) as session:
        return {
            combo: sorted(
                json.dumps(row, sort_keys=True, default=str)
                for row in raw_counts(session, *period, list(combo))
            )
            for size in (1, 2)
            for combo in itertools.combinations(GROUP_COLUMNS, size)
        }


def _text_columns():
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                yield table.name, column.name


def _left(database, values):
    """Every (table, column, value) where a value is still stored, in any text or JSON column of any table."""
    found = []
    with database.engine.connect() as connection:
        for table, column in _text_columns():
            for (stored,) in connection.execute(text(f'SELECT "{column}" FROM "{table}"')):
                rendered = stored if isinstance(stored, str) else json.dumps(stored, ensure_ascii=False)
                found += [(table, column, v) for v in values if v and v.lower() in (rendered or "").lower()]
    return found


def _personal_values(person):
    given, family, phone, email, postcode, born = person
    return [given, family, phone, email, postcode, born, f"Assault on {given}"]


def test_retention_anonymises_old_closed_cases_keeps_every_figure_and_is_idempotent(database, cases):
    made, open_case = cases
    _age(database, [uuid.UUID(c["id"]) for c in made[:2]], years=7)  # the first two victims' cases
    before = _figures(database)

    runner = CliRunner()
    env = {"VAL_DATABASE_URL": database.url}
    dry = runner.invoke(main, ["retention", "apply", "--dry-run"], env=env, catch_exceptions=False)
    assert dry.exit_code == 0 and dry.output.startswith("2 cases closed before")
    assert _left(database, _personal_values(PEOPLE[0])), "a dry run changes nothing"

    applied = runner.invoke(main, ["retention", "apply"], env=env, catch_exceptions=False)
    assert applied.exit_code == 0 and applied.output.startswith("2 cases closed before")
    again = runner.invoke(main, ["retention", "apply"], env=env, catch_exceptions=False)
    assert again.output.startswith("0 cases"), "idempotent"

    assert _figures(database) == before
    assert _left(database, _personal_values(PEOPLE[1])) == []
    if database.dialect == "sqlite":  # nor in the files' free pages or the write-ahead log
        path = Path(database.url.split("///", 1)[1])
        for stored in (path, path.with_name(path.name + "-wal")):
            raw = stored.read_bytes() if stored.exists() else b""
            assert [v for v in _personal_values(PEOPLE[1]) if v.encode() in raw] == [], stored.name
    # The first victim's later case is not past the period yet: hers stays there, and only there.
    leftovers = _left(database, _personal_values(PEOPLE[0]))
    assert leftovers and all(
        table in {"victims", "offences", "case_notes", "cases"} for table, _, _ in leftovers
    )
    assert _left(database, _personal_values(PEOPLE[2])), "a case still within the period is untouched"

    with unit_of_work(database) as session:
        anonymised = session.scalars(select(Case).where(Case.anonymised_at.is_not(None))).all()
        assert {str(c.id) for c in anonymised} == {made[0]["id"], made[1]["id"]}
        # The duplicate key is a hash of the police reference and the date of birth: erased too.
        assert [c.duplicate_key for c in anonymised] == [f"anonymised-{c.id.hex}" for c in anonymised]
        actions = session.scalars(select(AuditEvent.action)).all()
        assert actions.count("case.anonymised") == 2 and actions.count("retention.applied") == 2
        assert "retention.dry_run" in actions


def test_an_anonymised_case_keeps_its_district_age_band_and_triage(client, make_key, database, cases):
    made, _ = cases
    _age(database, [uuid.UUID(made[1]["id"])], years=7)
    with unit_of_work(database) as session:
        from val.auth.service import system_principal
        from val.lifecycle.retention import apply_retention

        apply_retention(session, system_principal(session, "retention", Role.ADMIN), 6)
    coordinator = make_key(Role.COORDINATOR)
    view = client.get(f"/api/v1/cases/{made[1]['id']}", headers=auth(coordinator)).get_json()
    assert view["victim"]["postcode"] == "HR4" and view["victim"]["family_name"] is None
    assert view["triage"] == made[1]["triage"] and view["anonymised_at"]


def _export(database, case_id, out):
    result = CliRunner().invoke(
        main,
        ["subject-access", "--case", case_id, "--out", str(out)],
        env={"VAL_DATABASE_URL": database.url},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return [out / line.rsplit("/", 1)[-1] for line in result.output.split()]


def test_subject_access_exports_everything_about_the_victim_across_confirmed_cases(
    database, cases, tmp_path, client, make_key, referral_body
):
    made, _ = cases
    # Her twin: the same family name and date of birth, another street in the same postcode district, so the
    # repeat-victim match cannot tell them apart.
    twin_body = referral_body(
        **{
            "source.reference": "RET/twin",
            "victim.given_name": "Aurelia",
            "victim.family_name": "Vantablack",
            "victim.date_of_birth": "1981-04-17",
            "victim.postcode": "WR5 1AA",
            "victim.contact.phone": "+447700900299",
        }
    )
    twin = client.post("/api/v1/referrals", json=twin_body, headers=auth(make_key(Role.INTAKE))).get_json()
    coordinator = make_key(Role.COORDINATOR, name="reader.one")
    client.get(f"/api/v1/cases/{made[0]['id']}", headers=auth(coordinator))  # a read the export must show
    searcher = make_key(Role.COORDINATOR, name="searcher.two")
    found = client.get("/api/v1/cases", query_string={"q": "Vantablack"}, headers=auth(searcher)).get_json()
    assert made[0]["id"] in {c["id"] for c in found["items"]}, "her name was on the searcher's screen"
    idva_route = next(r for r in made[0]["routes"] if r["provider"] == "wmwa-idva")
    idva = make_key(Role.PROVIDER, provider_id="wmwa-idva", name="idva.reader")
    assert client.get(f"/api/v1/provider/referrals/{idva_route['id']}", headers=auth(idva)).status_code == 200

    unconfirmed = json.loads(_export(database, made[3]["id"], tmp_path / "before")[0].read_text())
    assert [c["case"]["id"] for c in unconfirmed["cases"]] == [made[3]["id"]], "a match is only a hint"
    twin_export = json.loads(_export(database, twin["id"], tmp_path / "twin")[0].read_text())
    for only_matched in (unconfirmed["cases"][0], twin_export["cases"][0]):
        # What the match said about the other cases (her twin's MARAC history, say) stays out of the export.
        assert "repeat_previous_cases" not in only_matched["case"]
        assert all(line["rule"] != "risk.repeat_victim" for line in only_matched["triage"]["explanation"])
    with unit_of_work(database) as session:
        assert (
            session.scalar(select(Case.repeat_previous_cases).where(Case.id == uuid.UUID(twin["id"]))) >= 1
        ), "the twin was matched: the test shows what the export leaves out"

    same = f"/api/v1/cases/{made[3]['id']}/same-person"
    confirmed = client.post(same, json={"case_id": made[0]["id"]}, headers=auth(coordinator))
    assert confirmed.status_code == 201, confirmed.get_json()
    assert [c["id"] for c in confirmed.get_json()["items"]] == [made[0]["id"], made[3]["id"]]
    assert client.post(same, json={"case_id": made[3]["id"]}, headers=auth(coordinator)).status_code == 422
    assert client.get(same, headers=auth(make_key(Role.PROVIDER, provider_id="wmwa-idva"))).status_code == 403

    json_path, html_path = _export(database, made[3]["reference"], tmp_path)  # the reference a person quotes
    export = json.loads(json_path.read_text())
    assert [c["case"]["id"] for c in export["cases"]] == [made[0]["id"], made[3]["id"]]  # both of hers
    assert "Aurelia" not in json_path.read_text() and twin["id"] not in json_path.read_text()
    first = export["cases"][0]
    assert (
        first["victim"]["family_name"] == "Vantablack"
        and first["victim"]["contact"]["phone"] == "+447700900201"
    )
    assert first["triage"]["explanation"] and first["routes"] and first["compliance_points"]
    assert first["notes"][0]["text"].startswith("Oriel asked") and first["contact_attempts"]
    assert any(e["who"] == "reader.one" and e["action"] == "case.read" for e in first["access_log"])
    assert any(e["who"] == "searcher.two" and e["action"] == "case.listed" for e in first["access_log"]), (
        "a search that showed her name is in her access log"
    )
    assert any(
        e["who"] == "idva.reader" and e["action"] == "provider.referral_read" for e in first["access_log"]
    ), "a provider's read is recorded against its assignment, and is in the export"
    assert "match_key" not in first["victim"] and "Quillfeather" not in json_path.read_text()
    page = html_path.read_text()
    # Readable: words, not data structures; every record a field/value table that fits the page.
    assert "True" not in page and "False" not in page and '{"' not in page and "[&quot;" not in page
    assert ">Yes<" in page and "table-layout: fixed" in page and "Given name" in page
    assert "<script" not in page and "Vantablack" in page and "reader.one" in page
    with unit_of_work(database) as session:
        exported = session.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "case.subject_access")
        )
        assert set(exported) == {made[0]["id"], made[3]["id"], twin["id"]}


def test_no_personal_column_is_missed_by_the_scan():
    """The scan reads every text and JSON column: a new table with personal text is covered without a change."""
    columns = set(_text_columns())
    assert {("victims", "family_name"), ("case_notes", "text"), ("offences", "description")} <= columns
    assert all(inspect(Base.metadata.tables[t]).columns[c] is not None for t, c in columns)


def test_subject_access_names_an_unknown_case_in_one_line(database):
    result = CliRunner().invoke(
        main, ["subject-access", "--case", "VAL-2026-999999"], env={"VAL_DATABASE_URL": database.url}
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "no case with the id or VAL reference 'VAL-2026-999999'" in result.output
