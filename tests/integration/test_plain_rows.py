"""`plain_rows`: hot paths' reads skip `Session.execute`'s own work, but stay in the session's transaction."""

from __future__ import annotations

from sqlalchemy import select

from val.auth.models import Credential
from val.auth.roles import Role
from val.auth.service import authenticate, create_credential
from val.db.base import utcnow
from val.db.session import plain_rows, unit_of_work


def test_plain_rows_reads_in_the_sessions_own_transaction(database):
    names = select(Credential.name).where(Credential.name.like("plain-rows-%")).order_by(Credential.name)
    with unit_of_work(database) as session:
        create_credential(session, name="plain-rows-a", role=Role.COORDINATOR)  # flushed, not committed
        assert [row.name for row in plain_rows(session, names)] == ["plain-rows-a"]
        session.rollback()
        assert list(plain_rows(session, names)) == []


def test_a_key_authenticates_through_plain_rows_until_it_is_revoked(database):
    with unit_of_work(database) as session:
        key = create_credential(session, name="plain-rows-key", role=Role.INTAKE, source_systems=["rms"])
    with unit_of_work(database) as session:
        principal = authenticate(session, key)
        assert principal is not None and principal.role is Role.INTAKE and principal.name == "plain-rows-key"
        assert authenticate(session, key + "x") is None
        session.get_one(Credential, principal.credential_id).revoked_at = utcnow()
        session.flush()
        assert authenticate(session, key) is None
