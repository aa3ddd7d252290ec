"""The `val` command against a real database: credentials, imports, the provider directory."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from tests.conftest import SECRET_BOX, auth, now_iso
from val.cases.models import Case
from val.cli import main
from val.db.session import unit_of_work


@pytest.fixture
def val(database, monkeypatch):
    monkeypatch.setenv("VAL_DATABASE_URL", database.url)
    # The example provider's host, allowed without resolving it: tests never look a name up.
    monkeypatch.setenv("VAL_WEBHOOK_HOST_ALLOWLIST", "idva.example.org")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


def test_a_created_key_is_printed_alone_and_works_until_revoked(val, app, referral_body):
    unbound = val("credentials", "create", "--role", "intake", "--name", "police-rms")
    assert unbound.exit_code != 0 and "--source-system" in unbound.output
    result = val(
        "credentials", "create", "--role", "intake", "--source-system", "niche", "--name", "police-rms"
    )
    assert result.exit_code == 0
    key = result.stdout.strip()
    assert result.stdout == key + "\n" and key.startswith("val_")
    client = app.test_client()
    assert client.post("/api/v1/referrals", json=referral_body(), headers=auth(key)).status_code == 403
    assert val("credentials", "bind", "police-rms", "--source-system", "Police-RMS").exit_code == 0
    assert client.post("/api/v1/referrals", json=referral_body(), headers=auth(key)).status_code == 201
    assert val("credentials", "revoke", "police-rms").exit_code == 0
    assert client.post("/api/v1/referrals", json=referral_body(), headers=auth(key)).status_code == 401
    listed = val("credentials", "list").stdout
    assert "police-rms\tintake\tpolice-rms" in listed and "revoked" in listed and key not in listed


def test_provider_keys_must_name_a_known_provider(val):
    assert val("credentials", "create", "--role", "provider", "--name", "p").exit_code != 0
    assert (
        val("credentials", "create", "--role", "provider", "--provider", "nobody", "--name", "p").exit_code
        != 0
    )
    ok = val("credentials", "create", "--role", "provider", "--provider", "wmwa-idva", "--name", "idva")
    assert ok.exit_code == 0
    assert val(
        "credentials", "create", "--role", "provider", "--provider", "wmwa-idva", "--name", "idva"
    ).exit_code


def test_the_provider_directory_is_loaded(val):
    listed = val("providers", "list").stdout
    assert (
        "wmwa-idva\tidva" in listed and "climb-childrens-society\tclimb" in listed and "ages 11-17" in listed
    )


def _count(database) -> int:
    with unit_of_work(database) as session:
        return session.scalar(select(func.count()).select_from(Case))


def _imported(client, admin_key):
    """`val_intake_referrals_total{channel="import"}` by outcome, as Prometheus scrapes it."""
    text = client.get("/metrics", headers=auth(admin_key)).get_data(as_text=True)
    return {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "val_intake_referrals_total" and sample.labels["channel"] == "import"
    }


def test_importing_ndjson_twice_creates_each_case_once(val, database, referral_body, tmp_path, app, make_key):
    client, admin = app.test_client(), make_key("admin")
    before = _imported(client, admin)
    path = tmp_path / "export.ndjson"
    good = [referral_body(**{"source.reference": f"N/{i}"}) for i in range(4)]
    bad = referral_body(**{"source.reference": "N/bad", "victim.date_of_birth": "not a date"})
    path.write_text("\n".join(json.dumps(r) for r in [*good[:2], bad, *good[2:]]) + "\n")
    first = val("import", str(path))
    assert first.exit_code == 1, "a file with a bad record says so in its exit code"
    assert (
        "4 records" not in first.stdout and "5 records: 4 created, 0 duplicates, 1 rejected" in first.stdout
    )
    assert "line 3: victim.date_of_birth" in first.stderr
    # Not a terminal: plain lines of progress, with the rate and the time left, ending at the whole file.
    assert "importing export.ndjson: 5/5 (100%)" in first.stderr and "referrals/s" in first.stderr
    again = val("import", str(path))
    assert "5 records: 0 created, 4 duplicates, 1 rejected" in again.stdout
    assert _count(database) == 4
    # The command ends before any scrape: what it took in is counted in the intake metric all the same.
    after = _imported(client, admin)
    assert {outcome: after[outcome] - before.get(outcome, 0) for outcome in after} == {
        "created": 4,
        "duplicate": 4,
        "rejected": 2,
    }


def _flatten(record, prefix=""):
    out = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and key != "answers":
            out.update(_flatten(value, path + "."))
        elif isinstance(value, list):
            out[path] = ";".join(value)
        elif value is None:
            out[path] = ""
        else:
            out[path] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def test_importing_csv_with_dotted_columns(val, database, referral_body, tmp_path):
    rows = [_flatten(referral_body(**{"source.reference": f"C/{i}", "risk.answers": None})) for i in range(3)]
    rows[1]["offence.flags"] = "domestic_abuse;stalking"
    rows[2]["victim.policing_area"] = "narnia"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "export.csv"
    path.write_text(buffer.getvalue())
    result = val("import", str(path))
    assert "3 records: 2 created, 0 duplicates, 1 rejected" in result.stdout
    assert "line 4: victim.policing_area" in result.stderr
    with unit_of_work(database) as session:
        from val.cases.models import TriageDecision

        kinds = sorted(tuple(d.crime_types) for d in session.scalars(select(TriageDecision)))
        assert kinds == [("domestic_abuse",), ("domestic_abuse", "stalking_harassment")]
        assert {d.risk_level for d in session.scalars(select(TriageDecision))} == {"high"}


def test_set_endpoint_prints_the_signing_secret_alone_and_refuses_plain_http_in_production(
    val, database, monkeypatch
):
    if database.dialect == "postgresql":
        refused = val("providers", "set-endpoint", "wmwa-idva", "--url", "http://idva.example.org/hook")
        assert refused.exit_code != 0 and "http" in refused.stderr
    result = val("providers", "set-endpoint", "wmwa-idva", "--url", "https://idva.example.org/hook")
    assert result.exit_code == 0
    assert result.stdout.startswith("whsec_") and result.stdout.count("\n") == 1
    assert "https://idva.example.org/hook" in val("providers", "list").stdout


def test_rotation_signs_with_both_secrets_during_the_overlap(val, database):
    import datetime as dt

    from standardwebhooks import Webhook

    from val.providers.models import Provider
    from val.webhooks.signing import headers_for
    from val.webhooks.signing_keys import live_secrets

    old = val(
        "providers", "set-endpoint", "wmwa-idva", "--url", "https://idva.example.org/hook"
    ).stdout.strip()
    new = val("providers", "rotate-secret", "wmwa-idva").stdout.strip()
    assert new.startswith("whsec_") and new != old
    with unit_of_work(database) as session:
        provider = session.get(Provider, "wmwa-idva")
        now = dt.datetime.now(dt.UTC)
        live = live_secrets(provider, now, SECRET_BOX)
        assert live_secrets(provider, now + dt.timedelta(days=2), SECRET_BOX) == [new], (
            "the old secret lapses"
        )
    body = '{"type":"referral.offered"}'
    headers = headers_for("msg_1", now, body, live)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"type": "referral.offered"}


def test_a_disabled_provider_is_offered_nothing_new(val, app, referral_body, make_key):
    val("providers", "disable", "wmwa-idva")
    assert (
        "wmwa-idva\tidva" in val("providers", "list").stdout and "disabled" in val("providers", "list").stdout
    )
    client = app.test_client()
    case = client.post("/api/v1/referrals", json=referral_body(), headers=auth(make_key("intake"))).get_json()
    idva = next(r for r in case["routes"] if r["service"] == "idva")
    assert (idva["provider"], idva["status"]) == (None, "unassigned")
    val("providers", "enable", "wmwa-idva")
    again = client.post(
        "/api/v1/referrals",
        json=referral_body(**{"source.reference": "EN/1"}),
        headers=auth(make_key("intake")),
    ).get_json()
    assert next(r for r in again["routes"] if r["service"] == "idva")["provider"] == "wmwa-idva"


def test_a_failed_delivery_is_replayed_by_cli_and_api_with_its_webhook_id(
    val, database, app, referral_body, make_key
):
    from sqlalchemy import select, update

    from val.webhooks.models import WebhookDelivery

    val("providers", "set-endpoint", "wmwa-idva", "--url", "https://idva.example.org/hook")
    client = app.test_client()
    client.post("/api/v1/referrals", json=referral_body(), headers=auth(make_key("intake")))
    with unit_of_work(database) as session:
        session.execute(update(WebhookDelivery).values(status="failed", attempts=10, next_attempt_at=None))
        session.commit()
        delivery = session.scalar(select(WebhookDelivery))
    assert val("webhooks", "replay", str(delivery.id)).exit_code == 0
    with unit_of_work(database) as session:
        again = session.get(WebhookDelivery, delivery.id)
        assert (again.status, again.attempts, again.message_id) == ("pending", 0, delivery.message_id)
    coordinator = make_key("coordinator")
    busy = client.post(f"/api/v1/webhook-deliveries/{delivery.id}/replay", headers=auth(coordinator))
    assert busy.status_code == 409, "a delivery still being attempted is not replayed twice"
    with unit_of_work(database) as session:
        session.execute(update(WebhookDelivery).values(status="failed"))
        session.commit()
    replayed = client.post(f"/api/v1/webhook-deliveries/{delivery.id}/replay", headers=auth(coordinator))
    assert replayed.status_code == 202 and replayed.get_json()["message_id"] == delivery.message_id
    assert (
        client.post(
            f"/api/v1/webhook-deliveries/{delivery.id}/replay", headers=auth(make_key("board"))
        ).status_code
        == 403
    )


def test_an_import_commits_in_chunks_and_a_failed_chunk_loses_only_its_own_records(
    app, database, referral_body, monkeypatch
):
    # `app` configures the closed lists (policing areas) the referral contract validates against.
    from sqlalchemy.exc import DBAPIError

    from val.auth.roles import Role
    from val.auth.service import system_principal
    from val.referrals import batch, service
    from val.rulebook import load_rulebook
    from val.settings import Settings

    rulebook = load_rulebook(Settings().config_dir)
    with unit_of_work(database) as session:
        principal = system_principal(session, "chunk-import", Role.INTAKE)
    records = [(n, referral_body(**{"source.reference": f"C/{n}"})) for n in range(1, 6)]
    records.insert(2, (99, referral_body(**{"source.reference": "C/1"})))  # a duplicate within its chunk
    result = batch.import_records(
        lambda: unit_of_work(database), principal, records, rulebook, records_per_transaction=4
    ).as_dict()
    assert (result["created"], result["duplicates"]) == (5, 1)
    assert _count(database) == 5

    real_accept, calls = service.accept_referral, []

    def failing_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise DBAPIError("INSERT", {}, Exception("database went away"))
        return real_accept(*args, **kwargs)

    monkeypatch.setattr(batch, "accept_referral", failing_third)
    more = [(n, referral_body(**{"source.reference": f"D/{n}"})) for n in range(1, 6)]
    with pytest.raises(DBAPIError):
        batch.import_records(
            lambda: unit_of_work(database), principal, more, rulebook, records_per_transaction=2
        )
    # The first chunk (D/1, D/2) committed; the failing chunk's D/3 never was; the rest never ran.
    assert _count(database) == 7


def test_an_import_in_several_processes_answers_in_file_order_and_records_each_case_once(
    val, database, referral_body, tmp_path
):
    path = tmp_path / "export.ndjson"
    lines = [referral_body(**{"source.reference": f"P/{i}"}) for i in range(7)]
    lines.insert(3, referral_body(**{"source.reference": "P/bad", "victim.date_of_birth": "not a date"}))
    lines += [referral_body(**{"source.reference": "P/1"}), referral_body(**{"source.reference": "P/6"})]
    path.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    first = val("import", str(path), "--jobs", "3", "--per-transaction", "2")
    assert "10 records: 7 created, 2 duplicates, 1 rejected" in first.stdout
    assert "line 4: victim.date_of_birth" in first.stderr
    assert _count(database) == 7
    again = val("import", str(path), "--jobs", "2", "--per-transaction", "3")
    assert "10 records: 0 created, 9 duplicates, 1 rejected" in again.stdout
    assert _count(database) == 7


def test_every_admin_command_that_changes_something_is_audited_with_who_ran_it(val, database, monkeypatch):
    from val.audit.models import AuditEvent
    from val.auth.models import Credential

    monkeypatch.setenv("USER", "ops.person")
    monkeypatch.setenv("LOGNAME", "ops.person")
    commands = [
        ("credentials", "create", "--role", "coordinator", "--name", "sam.audited"),
        ("credentials", "create", "--role", "intake", "--source-system", "rms", "--name", "rms.audited"),
        ("credentials", "bind", "rms.audited", "--source-system", "niche"),
        ("credentials", "revoke", "sam.audited"),
        ("providers", "set-endpoint", "wmwa-idva", "--url", "https://idva.example.org/hook"),
        ("providers", "rotate-secret", "wmwa-idva"),
        ("providers", "disable", "wmwa-idva"),
        ("providers", "enable", "wmwa-idva"),
        ("secrets", "reseal"),
        ("credentials", "list"),
    ]
    for command in commands:
        assert val(*command).exit_code == 0, command
    with unit_of_work(database) as session:
        trail = [
            (e.action, e.entity_id, name)
            for e, name in session.execute(
                select(AuditEvent, Credential.name)
                .join(Credential, Credential.id == AuditEvent.credential_id)
                .where(AuditEvent.action.like("admin.%"))
                .order_by(AuditEvent.at)
            )
        ]
    assert [(action, target) for action, target, _ in trail] == [
        ("admin.credential_created", "sam.audited"),
        ("admin.credential_created", "rms.audited"),
        ("admin.credential_bound", "rms.audited"),
        ("admin.credential_revoked", "sam.audited"),
        ("admin.endpoint_set", "wmwa-idva"),
        ("admin.secret_rotated", "wmwa-idva"),
        ("admin.provider_disabled", "wmwa-idva"),
        ("admin.provider_enabled", "wmwa-idva"),
        ("admin.secrets_resealed", "all"),
        ("admin.credentials_listed", "list"),
    ]
    assert {name for _, _, name in trail} == {"cli:ops.person"}
    with unit_of_work(database) as session:
        endpoint = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "admin.endpoint_set"))
        listed = session.scalar(
            select(AuditEvent.result_count).where(AuditEvent.action == "admin.credentials_listed")
        )
    assert endpoint == "https://idva.example.org/hook", "the trail says where webhooks now go"
    assert listed == 3, "how many credentials were shown (two created here, and the operator's own)"
    failed = val("credentials", "revoke", "nobody")
    assert failed.exit_code != 0
    with unit_of_work(database) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_id == "nobody")
            )
            == 0
        )


def test_every_report_is_audited_like_the_apis_board_figures(val, database, tmp_path, monkeypatch):
    """`val report compliance|return|board` read Board figures with no trail; a run of differencing reports
    must show in it as the API's queries do."""
    from val.audit.models import AuditEvent

    monkeypatch.setenv("USER", "board.clerk")
    monkeypatch.setenv("LOGNAME", "board.clerk")
    for report in ("compliance", "return", "board"):
        made = val(
            "report",
            report,
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--out",
            str(tmp_path / f"{report}.html"),
        )
        assert made.exit_code == 0, made.output
    with unit_of_work(database) as session:
        trail = session.execute(
            select(AuditEvent.action, AuditEvent.entity_id)
            .where(AuditEvent.action.like("board.%"))
            .order_by(AuditEvent.at)
        ).all()
    assert [tuple(row) for row in trail] == [
        (f"board.report_{report}", "2026-01-01..2026-03-31") for report in ("compliance", "return", "board")
    ]


def test_a_report_makes_its_folder_or_says_in_one_line_why_it_cannot(val, tmp_path):
    period = ("--from", "2026-01-01", "--to", "2026-03-31")
    out = tmp_path / "reports" / "2026" / "q1.html"
    made = val("report", "compliance", *period, "--out", str(out))
    assert made.exit_code == 0 and out.read_text().startswith("<!doctype html>")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    refused = val("report", "compliance", *period, "--out", str(blocker / "q1.html"))
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    said = [line for line in refused.output.splitlines() if line.strip()]
    assert len(said) == 1 and said[0].startswith("Error: cannot write"), refused.output


def test_val_version_prints_the_released_version():
    import tomllib
    from importlib.metadata import version

    from val.cli import main

    released = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"]["version"]
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output == f"val {version('val')}\n"
    assert version("val") == released, "the installed package is the release pyproject.toml names"
    changelog = (Path(__file__).parents[2] / "CHANGELOG.md").read_text()
    assert f"## {released} — " in changelog, "every release has its entry in CHANGELOG.md"


def test_lists_have_a_header_row_and_give_json_for_scripts(val):
    assert val("credentials", "create", "--role", "coordinator", "--name", "jo.bloggs").exit_code == 0
    for command, first_column in ((("providers", "list"), "ID"), (("credentials", "list"), "NAME")):
        table = val(*command).stdout.splitlines()
        assert table[0].split("\t")[0] == first_column, command
        rows = json.loads(val(*command, "--json").stdout)
        assert isinstance(rows, list) and rows and len(rows) == len(table) - 1, command
    providers = {row["id"]: row for row in json.loads(val("providers", "list", "--json").stdout)}
    assert (
        providers["wmwa-idva"]["services"] == ["idva"] and providers["wmwa-idva"]["endpoint"] == "no endpoint"
    )
    credential = json.loads(val("credentials", "list", "--json").stdout)[0]
    assert credential == {
        "name": "jo.bloggs",
        "role": "coordinator",
        "bound_to": [],
        "state": "active",
        "created": credential["created"],
    }
    assert json.loads(val("people", "list", "--json").stdout) == []


def test_report_summaries_give_json_as_the_api_answers_them(val, app, make_key, referral_body, tmp_path):
    body = referral_body()
    body["reported_at"] = body["consent"]["recorded_at"] = now_iso(60)
    body["offence"]["occurred_at"] = now_iso(120)
    client = app.test_client()
    assert client.post("/api/v1/referrals", json=body, headers=auth(make_key("intake"))).status_code == 201
    today = dt.date.today()
    start, end = today.replace(day=1), (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    period = {"from": start.isoformat(), "to": (end - dt.timedelta(days=1)).isoformat()}
    board = auth(make_key("board"))

    summary = val("report", "compliance", "--from", period["from"], "--to", period["to"], "--json")
    assert summary.exit_code == 0, summary.output
    figures = json.loads(summary.stdout)
    for group in ("right", "agency"):
        asked = client.get(
            "/api/v1/board/compliance-summary", query_string={**period, "group_by": group}, headers=board
        )
        assert figures[f"by_{group}"] == asked.get_json()

    out = tmp_path / "return.json"
    written = val(
        "report", "return", "--from", period["from"], "--to", period["to"], "--json", "--out", str(out)
    )
    assert written.exit_code == 0 and written.stdout == ""
    asked = client.get("/api/v1/board/commissioning-return", query_string=period, headers=board)
    assert json.loads(out.read_text()) == asked.get_json()

    without_out = val("report", "board", "--from", period["from"], "--to", period["to"])
    assert without_out.exit_code != 0 and "--out" in without_out.output


def test_an_import_into_a_database_never_set_up_says_what_to_run(tmp_path, monkeypatch, referral_body):
    monkeypatch.delenv("VAL_DATABASE_URL", raising=False)
    export = tmp_path / "export.ndjson"
    export.write_text(json.dumps(referral_body()) + "\n")
    runner = CliRunner()
    (tmp_path / "var").mkdir()
    for data_dir, said in (
        (tmp_path / "var", "run `val db upgrade` first"),
        (tmp_path / "nowhere", "cannot open"),
    ):
        monkeypatch.setenv("VAL_DATA_DIR", str(data_dir))
        result = runner.invoke(main, ["import", str(export)])
        assert result.exit_code != 0 and said in result.output and "Traceback" not in result.output, (
            result.output
        )
