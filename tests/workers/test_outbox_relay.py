"""The outbox relay with a real broker and a real Celery worker (no eager mode): a committed referral's
outbox row is published and processed exactly once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.workers.celery_worker import start_worker as start
from tests.workers.celery_worker import stop_worker as stop
from val.auth.roles import Role
from val.auth.service import system_principal
from val.compliance.models import CompliancePoint
from val.messaging.models import OutboxMessage
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.referrals.service import accept_referral
from val.rulebook import load_rulebook
from val.settings import load_settings

ROOT = Path(__file__).parents[2]
SETTINGS = load_settings(environ={})
RULES = load_rulebook(SETTINGS.config_dir)


def start_worker(database_url: str, broker_url: str, scratch: Path):
    return start(
        scratch,
        env={
            "VAL_DATABASE_URL": database_url,
            "VAL_BROKER_URL": broker_url,
            "VAL_OUTBOX_RELAY_SECONDS": "0.5",
            "VAL_DATA_DIR": str(scratch),
        },
    )


def submit(database, referral_body, n: int) -> None:
    configure_policing_areas(SETTINGS.policing_areas)
    with database.sessions() as session:
        principal = system_principal(session, "police-rms", Role.INTAKE)
        session.commit()
    for i in range(n):
        with database.sessions() as session:
            accept_referral(
                session,
                principal,
                ReferralSchema().load(referral_body(**{"source.reference": f"W/{i}"})),
                RULES,
            )


def wait_until_processed(database, expected: int, timeout: float = 45) -> list[OutboxMessage]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database.sessions() as session:
            messages = list(session.scalars(select(OutboxMessage)))
        if len(messages) == expected and all(m.processed_at for m in messages):
            return messages
        time.sleep(0.25)
    raise AssertionError(
        f"outbox not processed in {timeout}s: {[(m.published_at, m.processed_at) for m in messages]}"
    )


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_referrals_are_relayed_through_redis_and_processed_once(
    database, redis_server, referral_body, scratch_dir
):
    submit(database, referral_body, 5)
    worker = start_worker(database.url, redis_server.url, scratch_dir / "worker-redis")
    try:
        messages = wait_until_processed(database, 5)
    finally:
        stop(worker)
    assert all(m.attempts == 1 for m in messages)


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_messages_committed_while_the_broker_was_wiped_are_still_relayed(
    database, redis_server, referral_body, scratch_dir
):
    worker = start_worker(database.url, redis_server.url, scratch_dir / "worker-wipe")
    try:
        submit(database, referral_body, 2)
        wait_until_processed(database, 2)
        redis_server.restart_empty()
        submit(database, referral_body, 4)  # references W/0..W/3: two are duplicates, two are new
        wait_until_processed(database, 4)
    finally:
        stop(worker)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_embedded_mode_relays_through_the_sqlite_broker(database, referral_body, scratch_dir):
    submit(database, referral_body, 3)
    broker = f"sqla+sqlite:///{scratch_dir / 'broker.sqlite'}"
    worker = start_worker(database.url, broker, scratch_dir / "worker-sqlite")
    try:
        wait_until_processed(database, 3)
    finally:
        stop(worker)


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_the_sweep_task_marks_overdue_points_missed_through_a_real_worker(
    database, redis_server, referral_body, scratch_dir
):
    from workers.app import make_celery

    submit(database, referral_body, 1)  # reported in 2025: R3 and R4 are long overdue
    settings = load_settings(
        overrides={"database_url": database.url, "broker_url": redis_server.url}, environ={}
    )
    celery = make_celery(settings)
    worker = start_worker(database.url, redis_server.url, scratch_dir / "worker-sweep")
    try:
        celery.send_task("val.compliance.sweep_overdue")
        deadline = time.monotonic() + 30
        statuses: list[str] = []
        while time.monotonic() < deadline:
            with database.sessions() as session:
                statuses = sorted(session.scalars(select(CompliancePoint.status)))
            if statuses.count("missed") == 2:
                break
            time.sleep(0.25)
        assert statuses == ["missed", "missed", "pending"]
    finally:
        stop(worker)
