"""Alembic, driven from code: `val db upgrade` and the test fixtures call upgrade()."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def current_head(database_url: str) -> str | None:
    """The migration the database is at (None before the first)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def schema_state(database_url: str) -> str:
    """`current` (at this release's newest migration), `behind` (never set up, or an earlier release's), or
    `unreachable`."""
    try:
        current = current_head(database_url)
    except DBAPIError:
        return "unreachable"
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    return "current" if current == head else "behind"


def revision(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)


def grant_app_role(database_url: str, role: str) -> None:
    """Give the role the service runs as (PostgreSQL) what it needs and no more. The schema belongs to the
    role that runs migrations; the service's role may read and write the tables but may only add to
    audit_events — never change, delete or TRUNCATE them — and, not owning any table, cannot ALTER one,
    disable its triggers or change the schema. Run after every upgrade: new tables need their grants."""
    engine = create_engine(database_url)
    try:
        if engine.dialect.name != "postgresql":
            raise ValueError("database roles are PostgreSQL's; SQLite has none")
        who = engine.dialect.identifier_preparer.quote(role)
        with engine.begin() as connection:
            for statement in (
                f"GRANT USAGE ON SCHEMA public TO {who}",
                f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
                f"REVOKE UPDATE, DELETE ON audit_events FROM {who}",
                f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {who}",
                f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {who}",
            ):
                connection.execute(text(statement))
    finally:
        engine.dispose()
