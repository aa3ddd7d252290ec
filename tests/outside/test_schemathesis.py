"""The outside client in CI: schemathesis against the app in-process, every operation as every role, every
check. `make fuzz` runs the same with many more examples."""

from __future__ import annotations

import pytest

from harness.fuzz import PROVIDER, UNTHROTTLED
from harness.identity import person_token, signed_in_settings
from harness.outside_client import ROLES, run, serving
from val.app import create_app


@pytest.fixture
def app(database):
    app = create_app(overrides={"database_url": database.url, "auth_failures_per_minute": UNTHROTTLED})
    yield app
    app.extensions["val"].db.dispose()


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_as_every_role_passes_every_check(app, make_key, role):
    key = make_key(role, provider_id=PROVIDER if role == "provider" else None)
    with serving(app) as base_url:
        findings = run(base_url, key, max_examples=5, seed=20261127)
    assert findings.requests > 0 and 429 not in findings.statuses
    assert not findings.errors and not findings.failures, "\n".join(
        findings.errors + sorted(set(findings.failures))
    )


# A coordinator signed in through the identity provider; `make fuzz` runs the Board and admins signed in too.
@pytest.mark.parametrize("role", ["coordinator"])
def test_every_operation_as_a_signed_in_person_passes_every_check(database, identity_provider, role):
    app = create_app(
        overrides={
            "database_url": database.url,
            "auth_failures_per_minute": UNTHROTTLED,
            **signed_in_settings(identity_provider),
        }
    )
    try:
        with serving(app) as base_url:
            findings = run(base_url, person_token(identity_provider, role), max_examples=5, seed=20261206)
    finally:
        app.extensions["val"].db.dispose()
    assert findings.requests > 0 and 429 not in findings.statuses
    assert not findings.errors and not findings.failures, "\n".join(
        findings.errors + sorted(set(findings.failures))
    )
