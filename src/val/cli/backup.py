"""`val backup` and `val restore` for the embedded mode (docs/operations.md): the database, copied consistently
while `val run` takes referrals, with the keys it needs — the one that opens the providers' signing secrets and
the repeat-victim key — in one file only VAL's own account may read. PostgreSQL is backed up with its own tools."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

import click

from val.cases.match_keys import KEY_FILE as MATCH_KEY_FILE
from val.cli.base import main, prepare, settings
from val.db import migrate
from val.db.backup import copy_sqlite, count_rows, intact
from val.webhooks.secret_box import KEY_FILE as SECRET_KEY_FILE

DATABASE = "val.sqlite"
MANIFEST = "manifest.json"
FORMAT = "val-embedded-backup/1"


@main.command("backup")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (it must not exist).",
)
def backup(out: Path) -> None:
    """A consistent copy of the embedded database and its keys, taken while VAL runs (mode 0600)."""
    settings_ = settings()
    if not settings_.embedded:
        raise click.ClickException(
            "VAL runs on PostgreSQL: back it up with pg_dump or pg_basebackup and keep VAL_SECRET_KEY and "
            "VAL_MATCH_KEY with it (docs/operations.md, Backups)"
        )
    database = Path(settings_.effective_database_url.split("///", 1)[1])
    if not database.exists():
        raise click.ClickException(f"no embedded database at {database}")
    keys = _keys(settings_.data_dir.resolve(), settings_.secret_key, settings_.match_key)
    with tempfile.TemporaryDirectory(prefix="val-backup-") as work:
        copy = Path(work) / DATABASE
        copy_sqlite(database, copy)
        manifest = {
            "format": FORMAT,
            "val_version": version("val"),
            "taken_at": dt.datetime.now(dt.UTC).isoformat(),
            "migration": migrate.current_head(f"sqlite:///{copy}"),
            "cases": count_rows(copy, "cases"),
        }
        try:
            descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise click.ClickException(f"{out} exists: choose a new file") from None
        with os.fdopen(descriptor, "wb") as target, tarfile.open(fileobj=target, mode="w:gz") as archive:
            archive.add(copy, DATABASE)
            for name, text in [(MANIFEST, json.dumps(manifest, indent=2)), *keys.items()]:
                _add_text(archive, name, text)
    click.echo(f"backed up {manifest['cases']} cases to {out}")


def _keys(data_dir: Path, secret_key: str, match_key: str) -> dict[str, str]:
    """The keys the data needs, from the settings or the data directory (where the embedded mode makes them)."""
    found = {}
    for name, given in ((SECRET_KEY_FILE, secret_key), (MATCH_KEY_FILE, match_key)):
        path = data_dir / name
        if given:
            found[name] = given
        elif path.exists():
            found[name] = path.read_text().strip()
    return found


def _add_text(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    archive.addfile(info, io.BytesIO(data))


@main.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(backup_file: Path) -> None:
    """Restore a `val backup` into an empty data directory, then bring its database up to this version."""
    settings_ = settings()
    if not settings_.embedded:
        raise click.ClickException("restore is for the embedded mode; PostgreSQL restores with its own tools")
    data_dir = settings_.data_dir.resolve()
    present = [name for name in (DATABASE, SECRET_KEY_FILE, MATCH_KEY_FILE) if (data_dir / name).exists()]
    if present:
        raise click.ClickException(f"{data_dir} is not empty ({', '.join(present)}): restore into a new one")
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tarfile.open(backup_file, mode="r:gz") as archive:
        members = {member.name: member for member in archive.getmembers()}
        if MANIFEST not in members or DATABASE not in members:
            raise click.ClickException(f"{backup_file} is not a VAL backup")
        manifest = json.loads(_read(archive, MANIFEST))
        if manifest.get("format") != FORMAT:
            raise click.ClickException(f"{backup_file}: unknown backup format {manifest.get('format')!r}")
        for name in (DATABASE, SECRET_KEY_FILE, MATCH_KEY_FILE):
            if name in members:
                _write_private(data_dir / name, _read(archive, name))
    if not intact(data_dir / DATABASE):
        raise click.ClickException("the restored database is damaged (integrity check failed)")
    prepare(settings_)  # a backup of an earlier version is migrated forward, keeping its data
    click.echo(f"restored {manifest['cases']} cases, taken {manifest['taken_at']}, into {data_dir}")


def _read(archive: tarfile.TarFile, name: str) -> bytes:
    extracted = archive.extractfile(name)
    if extracted is None:
        raise click.ClickException(f"{name} in the backup is not a file")
    return extracted.read()


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
