"""The `val` command group and what its commands share: settings, the database, clean failures."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

import val.models  # noqa: F401  — every mapped class, before the first query
from val.audit.service import record as audit
from val.auth.roles import Principal, Role
from val.auth.service import system_principal
from val.cases.match_keys import keyer_for
from val.cases.store import backfill_match_keys
from val.db import migrate
from val.db.session import Database, unit_of_work
from val.errors import DomainError
from val.providers.directory import DirectoryError, load_directory, sync_directory
from val.settings import Settings, SettingsError, load_settings
from val.webhooks.endpoints import reseal_secrets
from val.webhooks.secret_box import SecretBox, box_for

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def database(settings_: Settings) -> Database:
    return Database(settings_.effective_database_url, pool_size=2)


def in_unit_of_work(action: Callable[[Session], T], settings_: Settings | None = None) -> T:
    """Run one command's work as one unit of work (committed when it succeeds), turning the service's errors
    into a clean CLI failure."""
    db = database(settings_ or settings())
    try:
        with unit_of_work(db) as session:
            return action(session)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    finally:
        db.dispose()


def require_current_schema(settings_: Settings) -> None:
    """A clean refusal, before any work, when the database was never set up or is behind this release."""
    state = migrate.schema_state(settings_.effective_database_url)
    if state == "behind":
        raise click.ClickException(
            "the database is not set up for this release of VAL: run `val db upgrade` first"
        )
    if state == "unreachable":
        raise click.ClickException(
            "cannot open the database: check VAL_DATABASE_URL (or VAL_DATA_DIR), and run `val db upgrade` first"
        )


def prepare(settings_: Settings) -> None:
    """Migrate, then make the providers table match the provider directory."""
    if settings_.embedded:
        settings_.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings_.effective_database_url)
    try:
        entries = load_directory(settings_.config_dir / "providers.toml", settings_.policing_areas)
    except DirectoryError as exc:
        raise click.ClickException(str(exc)) from exc
    in_unit_of_work(lambda session: sync_directory(session, entries), settings_)
    if settings_.secret_key or settings_.embedded:  # production without its key can still migrate
        box = secret_box(settings_)
        in_unit_of_work(lambda session: reseal_secrets(session, box), settings_)
    keyer = keyer_for(settings_)
    if keyer is not None:  # cases recorded before repeat victims were recognised
        in_unit_of_work(lambda session: backfill_match_keys(session, keyer), settings_)


def secret_box(settings_: Settings) -> SecretBox:
    try:
        return box_for(settings_)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
@click.version_option(package_name="val", prog_name="val", message="%(prog)s %(version)s")
def main() -> None:
    """VAL — the Victim Advice Line case-routing backend."""
    # Everything VAL and the processes it starts write is theirs alone — the data directory holds special
    # category data: files 0600, directories 0700 (the broker's queue and the beat's schedule included).
    os.umask(0o077)


def operator(session: Session) -> Principal:
    """Who runs a command, as the audit trail names them: the operating-system account, as a credential of
    VAL's own whose key is never shown."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        account = f"uid-{os.getuid()}"
    return system_principal(session, f"cli:{account}"[:100], Role.ADMIN)


def audited(
    action: str,
    entity_type: str,
    entity_id: str,
    work: Callable[[Session], T],
    *,
    detail: str | None = None,
    count: Callable[[T], int] | None = None,
) -> Callable[[Session], T]:
    """`work`, with an audit row naming the operator, in the same unit of work (both or neither)."""

    def run(session: Session) -> T:
        result = work(session)
        shown = count(result) if count is not None else None
        audit(
            session,
            operator(session),
            action,
            entity_type,
            entity_id,
            None,
            result_count=shown,
            detail=detail,
        )
        return result

    return run


def refusing(error: type[Exception], action: Callable[[Session], T]) -> Callable[[Session], T]:
    """`action`, with its own refusal (`error`) said as a one-line command error instead of a traceback."""

    def run(session: Session) -> T:
        try:
            return action(session)
        except error as exc:
            raise click.ClickException(str(exc)) from exc

    return run


def show_rows(rows: list[dict[str, Any]], as_json: bool) -> None:
    """A list as people read it (a header row, then tab-separated rows; `-` for nothing) or, with `--json`, as
    one JSON array for scripts."""
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        return
    click.echo("\t".join(name.upper() for name in rows[0]))
    for row in rows:
        click.echo("\t".join(_cell(value) for value in row.values()))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or "-"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


as_json_option = click.option("--json", "as_json", is_flag=True, help="One JSON array, for scripts.")
