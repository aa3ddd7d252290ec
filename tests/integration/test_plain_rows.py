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


def test_the_embedded_database_files_are_private_and_deleted_content_is_zeroed(tmp_path):
    """Special category data: only VAL's account may read the files, and what is deleted is overwritten."""
    from sqlalchemy import text

    from val.db.session import make_engine

    path = tmp_path / "data" / "val.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (v TEXT)"))
            connection.execute(text("INSERT INTO t VALUES ('Quillfeather')"))
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1
        for stored in (path, path.with_name("val.sqlite-wal"), path.with_name("val.sqlite-shm")):
            assert stored.stat().st_mode & 0o777 == 0o600, stored.name
        assert path.parent.stat().st_mode & 0o077 == 0
    finally:
        engine.dispose()
