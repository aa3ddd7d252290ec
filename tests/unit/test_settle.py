"""What a unit of work does at its end (`val.db.settle`): each step asked for runs once per key, steps may ask
for more, a rollback forgets what was asked, after-commit actions run only once committed and never raise."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from val.db.settle import after_commit, committed, forget, later, settle


def _session():
    return SimpleNamespace(info={})


def test_a_step_asked_for_many_times_runs_once_per_key_in_the_order_first_asked():
    session, ran = _session(), []

    def step(_session, key):
        ran.append(key)

    for key in ("a", "b", "a", "a", "b", "c"):
        later(session, step, key)
    assert ran == []
    settle(session)
    assert ran == ["a", "b", "c"]
    settle(session)  # nothing asked since
    assert ran == ["a", "b", "c"]


def test_a_step_may_ask_for_more_which_run_in_the_same_settle():
    session, ran = _session(), []

    def second(_session, key):
        ran.append(("second", key))

    def first(session_, key):
        ran.append(("first", key))
        later(session_, second, key)

    later(session, first, 1)
    settle(session)
    assert ran == [("first", 1), ("second", 1)]


def test_a_rolled_back_unit_forgets_what_it_asked_for():
    session, ran = _session(), []
    later(session, lambda _s, key: ran.append(key), "x")
    after_commit(session, lambda: ran.append("after"))
    forget(session)
    settle(session)
    committed(session)
    assert ran == []


def test_after_commit_actions_run_once_committed_and_a_failure_is_logged_not_raised(caplog):
    session, ran = _session(), []

    def fails():
        raise RuntimeError("disk gone")

    after_commit(session, lambda: ran.append(1))
    after_commit(session, fails)
    after_commit(session, lambda: ran.append(2))
    with caplog.at_level(logging.WARNING, logger="val.db"):
        committed(session)
    assert ran == [1, 2]
    assert [r.error_type for r in caplog.records] == ["RuntimeError"]
    committed(session)  # each runs once
    assert ran == [1, 2]


@pytest.mark.parametrize("asked", [0, 1, 5])
def test_settling_runs_exactly_the_keys_asked(asked):
    session, ran = _session(), []
    for n in range(asked):
        later(session, lambda _s, key: ran.append(key), n)
    settle(session)
    assert sorted(ran) == list(range(asked))
