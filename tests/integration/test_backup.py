"""`val backup` while referrals arrive, `val restore` into an empty data directory: every referral answered 201
before the backup began is there, and its webhooks still go out, signed with the key the backup carried."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from standardwebhooks import Webhook

from harness.receiver import Receiver
from tests.conftest import auth
from tests.waiting import wait_until
from val.app import create_app
from val.auth.roles import Role
from val.auth.service import create_credential
from val.cases.models import Case
from val.cli import main
from val.cli.base import prepare
from val.db.session import Database, unit_of_work
from val.routing.models import Assignment
from val.settings import load_settings
from val.webhooks.destinations import policy_for
from val.webhooks.endpoints import set_endpoint
from val.webhooks.models import WebhookDelivery
from val.webhooks.secret_box import box_for
from val.webhooks.sender import WebhookSender
from val.webhooks.service import claim_many_for_sending, send

ROOT = Path(__file__).parents[2]
EMBEDDED_HOOKS = policy_for(allow_http=True, embedded=True, allowlist=())


def _val(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VAL_DATA_DIR": str(data_dir)}
    for name in ("VAL_DATABASE_URL", "VAL_BROKER_URL", "VAL_SECRET_KEY", "VAL_MATCH_KEY"):
        env.pop(name, None)
    return subprocess.run(
        [str(Path(sys.executable).parent / "val"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_backup_taken_during_a_burst_restores_every_referral_answered_before_it(tmp_path, referral_body):
    live, restored, archive = tmp_path / "live", tmp_path / "restored", tmp_path / "val.backup"
    settings = load_settings(environ={"VAL_DATA_DIR": str(live)})
    prepare(settings)
    database = Database(settings.effective_database_url)
    receiver = Receiver().start()
    with unit_of_work(database) as session:
        key = create_credential(session, name="police", role=Role.INTAKE, source_systems=["police-rms"])
        whsec = set_endpoint(session, "wmwa-idva", receiver.url, policy=EMBEDDED_HOOKS, box=box_for(settings))
    app = create_app(settings=settings)
    answered: list[str] = []
    stop = threading.Event()

    def burst() -> None:
        client, n = app.test_client(), 0
        while not stop.is_set():
            n += 1
            body = referral_body(**{"source.system": "police-rms", "source.reference": f"BURST/{n}"})
            if client.post("/api/v1/referrals", json=body, headers=auth(key)).status_code == 201:
                answered.append(f"BURST/{n}")

    sender = threading.Thread(target=burst)
    sender.start()
    try:
        wait_until(lambda: len(answered) >= 5, what="the burst to get going", every=0.05)
        before = list(answered)
        taken = _val(live, "backup", "--out", str(archive))
        wait_until(lambda: len(answered) >= len(before) + 3, what="referrals after the backup", every=0.05)
    finally:
        stop.set()
        sender.join()
        app.extensions["val"].db.dispose()
    assert taken.returncode == 0, taken.stderr
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600, "special category data: VAL's own account only"

    again = _val(restored, "restore", str(archive))
    assert again.returncode == 0, again.stderr
    assert all(
        stat.S_IMODE((restored / name).stat().st_mode) == 0o600 for name in ("val.sqlite", "secret.key")
    )
    settings_b = load_settings(environ={"VAL_DATA_DIR": str(restored)})
    database_b = Database(settings_b.effective_database_url)
    try:
        with unit_of_work(database_b) as session:
            kept = set(session.scalars(select(Case.source_reference)))
            deliveries = list(
                session.scalars(
                    select(WebhookDelivery.id)
                    .join(Assignment, Assignment.id == WebhookDelivery.assignment_id)
                    .join(Case, Case.id == Assignment.case_id)
                    .where(Case.source_reference.in_(before), WebhookDelivery.provider_id == "wmwa-idva")
                )
            )
        assert set(before) <= kept, "every referral answered before the backup began"
        assert len(deliveries) == len(before), "each with its IDVA's webhook, still to be sent"
        with unit_of_work(database_b) as session:
            claimed = claim_many_for_sending(session, deliveries, 60, box_for(settings_b))
        assert len(claimed) == len(before)
        for item in claimed:
            assert send(item, WebhookSender(), EMBEDDED_HOOKS).status_code == 200
        arrived = receiver.wait_for(len(before))
        verifier = Webhook(whsec.strip())
        assert all(verifier.verify(a.body, a.headers)["type"] == "referral.offered" for a in arrived)
    finally:
        database_b.dispose()
        database.dispose()
        receiver.stop()


def test_restore_refuses_a_data_directory_in_use_and_backup_points_postgresql_to_its_tools(tmp_path):
    data = tmp_path / "var"
    prepare(load_settings(environ={"VAL_DATA_DIR": str(data)}))
    archive = tmp_path / "copy"
    assert _val(data, "backup", "--out", str(archive)).returncode == 0
    over = _val(data, "restore", str(archive))
    assert over.returncode != 0 and "not empty" in over.stderr
    twice = _val(data, "backup", "--out", str(archive))
    assert twice.returncode != 0 and "exists" in twice.stderr
    postgres = CliRunner().invoke(
        main,
        ["backup", "--out", str(tmp_path / "pg")],
        env={"VAL_DATABASE_URL": "postgresql://val@localhost/val"},
    )
    assert postgres.exit_code != 0 and "pg_dump" in postgres.output


@pytest.fixture(autouse=True)
def _no_database_from_the_environment(monkeypatch):
    for name in ("VAL_DATABASE_URL", "VAL_BROKER_URL", "VAL_SECRET_KEY", "VAL_MATCH_KEY"):
        monkeypatch.delenv(name, raising=False)
