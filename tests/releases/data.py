"""Rows and answers as JSON: values tagged by type, so they load into PostgreSQL and SQLite alike."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, insert
from sqlalchemy.engine import Engine

RELEASES = Path(__file__).parent
# Not secrets: the keys the release data was sealed and hashed with, so a test can open it again.
SECRET_KEY = "J3n5T1C-Ny_vF0bMZk3yv2m0yQp1cYz7e5a9o4ZkN1Q="
MATCH_KEY = "release-data-match-key-for-tests-only-0123456789"


def encode(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.astimezone(dt.UTC).isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if value.keys() == {"$uuid"}:
            return uuid.UUID(value["$uuid"])
        if value.keys() == {"$datetime"}:
            return dt.datetime.fromisoformat(value["$datetime"])
        if value.keys() == {"$date"}:
            return dt.date.fromisoformat(value["$date"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


# Kept by the database's own triggers from the rows they count: loading the points makes them again.
DERIVED = {"compliance_point_counts"}


def path_of(release: str) -> Path:
    return RELEASES / f"{release}.json"


def read(release: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path_of(release).read_text())
    return data


def load_rows(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Insert the release's rows into a database at the release's migration head, through the tables as that
    database has them (reflected), parents first."""
    tables = MetaData()
    tables.reflect(bind=engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        for table in tables.sorted_tables:
            if table.name in DERIVED:
                continue
            found = rows.get(table.name)
            if found:
                connection.execute(insert(table), [_as_stored(decode(row), sqlite) for row in found])


def _as_stored(row: dict[str, Any], sqlite: bool) -> dict[str, Any]:
    """On SQLite, as VAL's column types store them there: uuids as 32 hex digits, times as naive UTC."""
    if not sqlite:
        return row
    stored = {}
    for name, value in row.items():
        if isinstance(value, uuid.UUID):
            value = value.hex
        elif isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        stored[name] = value
    return stored
