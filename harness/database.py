"""A database ready for VAL: migrated, with the provider directory loaded."""

from __future__ import annotations

from val.db import migrate
from val.db.session import Database, unit_of_work
from val.providers.directory import load_directory, sync_directory
from val.settings import load_settings


def prepared(url: str) -> Database:
    migrate.upgrade(url)
    settings = load_settings(overrides={"database_url": url})
    database = Database(url)
    with unit_of_work(database) as session:
        sync_directory(
            session, load_directory(settings.config_dir / "providers.toml", settings.policing_areas)
        )
        session.commit()
    return database
