"""Idempotency-Key on POST /api/v1/referrals: a retry replays the first answer, never a second effect, and the
key lives in the request's own unit of work."""

from __future__ import annotations

import datetime as dt
import json
import threading

from sqlalchemy import event, func, select

from tests.api.test_referrals_api import URL, cases, post
from tests.conftest import auth
from val.auth.roles import Role
from val.db.base import utcnow
from val.db.session import unit_of_work
from val.http.idempotency import fingerprint
from val.http.models import IdempotencyRecord


def test_a_retry_with_the_same_key_replays_and_a_new_key_finds_the_duplicate(
    client, make_key, referral_body, database
):
    key = make_key(Role.INTAKE)
    first = post(client, key, referral_body(), **{"Idempotency-Key": "k-1"})
    again = post(client, key, referral_body(), **{"Idempotency-Key": "k-1"})
    third = post(client, key, referral_body(), **{"Idempotency-Key": "k-2"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert third.status_code == 200
    assert third.get_json()["id"] == first.get_json()["id"] == third.get_json()["duplicate_of"]
    assert cases(database) == 1


def test_racing_retries_with_one_key_make_one_case_and_one_answer(app, make_key, referral_body, database):
    # The claim is in the request's own transaction: a concurrent retry waits for the first to end, then
    # replays its answer (or, on SQLite, where writers queue, may find it still in flight).
    key = make_key(Role.INTAKE)
    body = referral_body(**{"source.reference": "RACE/KEY"})
    barrier, answers, errors = threading.Barrier(4), [], []

    def submit():
        try:
            client = app.test_client()
            barrier.wait()
            answers.append(post(client, key, body, **{"Idempotency-Key": "race"}))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(a.status_code for a in answers if a.status_code != 409)[0] == 201
    created = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
    assert len(created) == 1
    assert all(a.get_json() == created[0].get_json() for a in answers if a.headers.get("Idempotent-Replayed"))
    assert {a.status_code for a in answers} <= {201, 409}
    assert cases(database) == 1


def test_a_reordered_but_equal_body_is_the_same_request(client, make_key, referral_body):
    key = make_key(Role.INTAKE)
    body = referral_body()
    first = client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        headers=auth(key, **{"Idempotency-Key": "k"}),
    )
    again = client.post(
        URL,
        data=json.dumps(body, sort_keys=True, indent=2),
        content_type="application/json",
        headers=auth(key, **{"Idempotency-Key": "k"}),
    )
    assert again.get_json()["id"] == first.get_json()["id"] and again.headers.get("Idempotent-Replayed")


def test_the_same_key_with_a_different_body_is_refused(client, make_key, referral_body, database):
    key = make_key(Role.INTAKE)
    post(client, key, referral_body(), **{"Idempotency-Key": "k-1"})
    response = post(
        client, key, referral_body(**{"source.reference": "OTHER/1"}), **{"Idempotency-Key": "k-1"}
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"].endswith("idempotency-key-reused")
    assert cases(database) == 1


def _claim_in_flight(database, key_name, credential_name, body, locked_at):
    from val.auth.models import Credential

    with unit_of_work(database) as session:
        credential = session.scalar(select(Credential).where(Credential.name == credential_name))
        session.add(
            IdempotencyRecord(
                credential_id=credential.id,
                key=key_name,
                request_fingerprint=fingerprint("POST", URL, json.dumps(body).encode()),
                locked_at=locked_at,
                expires_at=utcnow() + dt.timedelta(hours=24),
            )
        )
        session.commit()


def test_the_same_key_while_the_first_request_is_in_flight_is_409(client, make_key, referral_body, database):
    key = make_key(Role.INTAKE, name="rms")
    body = referral_body()
    _claim_in_flight(database, "k-busy", "rms", body, utcnow())
    response = post(client, key, body, **{"Idempotency-Key": "k-busy"})
    assert response.status_code == 409
    assert response.headers["Retry-After"] == "1"
    assert cases(database) == 0


def test_a_key_abandoned_by_a_dead_request_is_free_again_within_10_seconds(
    client, make_key, referral_body, database
):
    key = make_key(Role.INTAKE, name="rms")
    body = referral_body()
    _claim_in_flight(database, "k-recent", "rms", body, utcnow() - dt.timedelta(seconds=5))
    assert post(client, key, body, **{"Idempotency-Key": "k-recent"}).status_code == 409
    _claim_in_flight(database, "k-dead", "rms", body, utcnow() - dt.timedelta(seconds=11))
    response = post(client, key, body, **{"Idempotency-Key": "k-dead"})
    assert response.status_code == 201


def test_keys_are_scoped_per_credential(client, make_key, referral_body):
    one, two = make_key(Role.INTAKE), make_key(Role.INTAKE)
    first = post(client, one, referral_body(), **{"Idempotency-Key": "shared"})
    other = post(client, two, referral_body(**{"source.reference": "X/2"}), **{"Idempotency-Key": "shared"})
    assert (first.status_code, other.status_code) == (201, 201)
    assert first.get_json()["id"] != other.get_json()["id"]


def test_a_failed_request_releases_its_key_so_the_corrected_one_can_use_it(client, make_key, referral_body):
    key = make_key(Role.INTAKE)
    bad = post(
        client, key, referral_body(**{"victim.policing_area": "mars"}), **{"Idempotency-Key": "fix-me"}
    )
    good = post(client, key, referral_body(), **{"Idempotency-Key": "fix-me"})
    assert (bad.status_code, good.status_code) == (422, 201)


def _commits_during(app, request) -> int:
    """Commits on the app's own engine while `request` runs."""
    engine = app.extensions["val"].db.engine
    commits = []

    def count(_connection):
        commits.append(1)

    event.listen(engine, "commit", count)
    try:
        request()
    finally:
        event.remove(engine, "commit", count)
    return len(commits)


def test_a_request_with_a_key_commits_once_with_its_work(app, client, make_key, referral_body, database):
    key = make_key(Role.INTAKE)
    # Authentication, the claim, the case and the stored answer: one unit of work, one commit.
    assert _commits_during(app, lambda: post(client, key, referral_body(), **{"Idempotency-Key": "one"})) == 1
    with unit_of_work(database) as session:
        stored = session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == "one")).one()
    assert stored.response_status == 201


def test_an_expired_key_is_claimed_afresh_in_the_same_unit_of_work(
    app, client, make_key, referral_body, database
):
    key = make_key(Role.INTAKE, name="expiring")
    body = referral_body()
    assert post(client, key, body, **{"Idempotency-Key": "old"}).status_code == 201
    with unit_of_work(database) as session:
        record = session.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == "old")).one()
        record.expires_at = utcnow() - dt.timedelta(seconds=1)
    again = referral_body(**{"source.reference": "AFTER/EXPIRY"})
    answers = []
    assert (
        _commits_during(app, lambda: answers.append(post(client, key, again, **{"Idempotency-Key": "old"})))
        == 1
    )
    assert answers[0].status_code == 201 and "Idempotent-Replayed" not in answers[0].headers
    assert cases(database) == 2


def test_a_failed_request_keeps_nothing_not_even_its_claim(client, make_key, referral_body, database):
    key = make_key(Role.INTAKE)
    bad = referral_body(**{"victim.policing_area": "mars"})
    assert post(client, key, bad, **{"Idempotency-Key": "nothing"}).status_code == 422
    with unit_of_work(database) as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
    assert cases(database) == 0
