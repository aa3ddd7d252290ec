"""The weekly retention task: on the beat's schedule and queue, and doing what `val retention apply` does."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import select, update

from tests.conftest import auth
from val.auth.roles import Role
from val.cases.models import Case
from val.db.session import unit_of_work
from val.settings import load_settings
from workers.queues import TASK_ROUTES
from workers.schedule import beat_schedule

ROOT = Path(__file__).resolve().parents[2]


def test_retention_runs_weekly_on_the_compliance_queue():
    entry = beat_schedule(load_settings())["apply-retention"]
    assert entry["task"] == "val.retention.apply" and entry["schedule"] == dt.timedelta(days=7)
    assert TASK_ROUTES["val.retention.apply"] == {"queue": "compliance"}


def test_the_task_anonymises_what_is_past_the_period(database, client, make_key, referral_body):
    intake, coordinator = make_key(Role.INTAKE), make_key(Role.COORDINATOR)
    case = client.post("/api/v1/referrals", json=referral_body(), headers=auth(intake)).get_json()
    now = dt.datetime.now(dt.UTC).isoformat()
    closed = client.post(
        f"/api/v1/cases/{case['id']}/close",
        json={"outcome": "supported", "at": now, "withdraw_open": True},
        headers=auth(coordinator),
    )
    assert closed.status_code == 200
    with unit_of_work(database) as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=7 * 366)
        session.execute(update(Case).where(Case.id == uuid.UUID(case["id"])).values(closed_at=long_ago))
    ran = subprocess.run(
        [
            sys.executable,
            "-c",
            "import workers.app; from workers.tasks import apply_retention_weekly; print(apply_retention_weekly())",
        ],
        env={**os.environ, "VAL_DATABASE_URL": database.url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.strip().splitlines()[-1] == "1"
    with unit_of_work(database) as session:
        assert session.scalar(select(Case.anonymised_at).where(Case.id == uuid.UUID(case["id"]))) is not None
