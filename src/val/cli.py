"""The `val` command: run the service, migrate, manage credentials and providers, import referral files."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from sqlalchemy import func, select

from val.auth.models import Credential
from val.auth.roles import Role
from val.auth.service import (
    CredentialError,
    create_credential,
    list_credentials,
    revoke_credential,
    system_principal,
)
from val.compliance import board
from val.compliance import report as compliance_report
from val.db import migrate
from val.db.session import Database
from val.errors import DomainError
from val.logs import configure_logging
from val.providers import service as provider_admin
from val.providers.directory import DirectoryError, load_directory, sync_directory
from val.providers.models import Provider
from val.referrals import batch
from val.referrals.schemas import configure_policing_areas
from val.rulebook import load_rulebook
from val.settings import Settings, SettingsError, load_settings
from val.webhooks import service as webhook_service

REPO_ROOT = Path(__file__).resolve().parents[2]


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


def _database(settings: Settings) -> Database:
    return Database(settings.effective_database_url, pool_size=2)


@click.group()
def main() -> None:
    """VAL — the Victim Advice Line case-routing backend."""


@main.group()
def db() -> None:
    """Database schema."""


def _prepare(settings: Settings) -> None:
    """Migrate, then make the providers table match the provider directory."""
    if settings.embedded:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.effective_database_url)
    try:
        entries = load_directory(settings.config_dir / "providers.toml", settings.policing_areas)
    except DirectoryError as exc:
        raise click.ClickException(str(exc)) from exc
    database = _database(settings)
    with database.sessions() as session:
        sync_directory(session, entries)
        session.commit()
    database.dispose()


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration and load the provider directory."""
    _prepare(_settings())
    click.echo("database is up to date", err=True)


@main.group()
def credentials() -> None:
    """Bearer API keys."""


@credentials.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--provider", "provider_id", default=None, help="Provider id (provider role only).")
@click.option("--name", required=True, help="Who holds the key, e.g. police-rms or jo.bloggs.")
def credentials_create(role: str, provider_id: str | None, name: str) -> None:
    """Create a credential and print its key (shown this once only) alone on stdout."""
    database = _database(_settings())
    with database.sessions() as session:
        try:
            key = create_credential(session, name=name, role=Role(role), provider_id=provider_id)
        except CredentialError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(key)


@credentials.command("revoke")
@click.argument("name")
def credentials_revoke(name: str) -> None:
    """Revoke a credential at once."""
    database = _database(_settings())
    with database.sessions() as session:
        try:
            revoke_credential(session, name)
        except CredentialError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    click.echo(f"revoked {name}", err=True)


@credentials.command("list")
def credentials_list() -> None:
    """Credentials and their roles (never their keys)."""
    database = _database(_settings())
    with database.sessions() as session:
        for c in list_credentials(session):
            state = "revoked" if c.revoked_at else "active"
            click.echo(f"{c.name}\t{c.role}\t{c.provider_id or '-'}\t{state}\t{c.created_at:%Y-%m-%d}")


@main.group()
def providers() -> None:
    """The provider directory."""


@providers.command("list")
def providers_list() -> None:
    database = _database(_settings())
    with database.sessions() as session:
        for p in session.scalars(select(Provider).order_by(Provider.id)):
            ages = f"{p.min_age if p.min_age is not None else 0}-{p.max_age if p.max_age is not None else ''}"
            state = "active" if p.available else "disabled" if p.admin_disabled else "inactive"
            endpoint = "endpoint gone (410)" if p.endpoint_disabled_at else p.webhook_url or "no endpoint"
            click.echo(
                f"{p.id}\t{','.join(p.services)}\t{','.join(p.policing_areas)}\tages {ages}\t{state}\t{endpoint}"
            )


def _run_admin(action):  # noqa: ANN001, ANN202
    """Run a service call, turning its errors into a clean CLI failure."""
    database = _database(_settings())
    try:
        with database.sessions() as session:
            return action(session)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc


@providers.command("set-endpoint")
@click.argument("provider_id")
@click.option("--url", required=True, help="The provider's webhook URL (https://).")
def providers_set_endpoint(provider_id: str, url: str) -> None:
    """Register a webhook endpoint; prints the new whsec_ signing secret alone on stdout (shown once)."""
    settings = _settings()
    click.echo(
        _run_admin(
            lambda s: provider_admin.set_endpoint(
                s, provider_id, url, allow_http=settings.http_webhooks_allowed
            )
        )
    )


@providers.command("rotate-secret")
@click.argument("provider_id")
def providers_rotate_secret(provider_id: str) -> None:
    """A new signing secret (printed alone); the old one keeps signing alongside it for the overlap period."""
    overlap = dt.timedelta(hours=_settings().secret_rotation_overlap_hours)
    click.echo(_run_admin(lambda s: provider_admin.rotate_secret(s, provider_id, overlap)))


@providers.command("disable")
@click.argument("provider_id")
def providers_disable(provider_id: str) -> None:
    """Offer this provider nothing new."""
    _run_admin(lambda s: provider_admin.set_enabled(s, provider_id, False))
    click.echo(f"{provider_id} disabled", err=True)


@providers.command("enable")
@click.argument("provider_id")
def providers_enable(provider_id: str) -> None:
    _run_admin(lambda s: provider_admin.set_enabled(s, provider_id, True))
    click.echo(f"{provider_id} enabled", err=True)


@main.group()
def webhooks() -> None:
    """Webhook deliveries."""


@webhooks.command("replay")
@click.argument("delivery_id", type=click.UUID)
def webhooks_replay(delivery_id) -> None:  # noqa: ANN001
    """Send a kept delivery again (same webhook-id)."""

    def replay(session):  # noqa: ANN001, ANN202
        principal = system_principal(session, "cli-admin", Role.ADMIN)
        return webhook_service.replay(session, principal, delivery_id, None)

    delivery = _run_admin(replay)
    click.echo(f"{delivery.id} queued for delivery", err=True)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["auto", "csv", "ndjson"]), default="auto")
@click.option(
    "--as",
    "as_name",
    default="cli-import",
    show_default=True,
    help="Credential the referrals are recorded as submitted by.",
)
def import_file(file: Path, fmt: str, as_name: str) -> None:
    """Import referrals from NDJSON or CSV (dotted column names). Re-importing a file creates no new cases."""
    settings = _settings()
    configure_policing_areas(settings.policing_areas)
    rulebook = load_rulebook(settings.config_dir)
    database = _database(settings)
    if fmt == "auto":
        fmt = "csv" if file.suffix.lower() == ".csv" else "ndjson"
    with database.sessions() as session:
        try:
            principal = system_principal(session, as_name, Role.INTAKE)
        except CredentialError as exc:
            raise click.ClickException(str(exc)) from exc
        session.commit()
    with file.open(encoding="utf-8", newline="") as fh:
        records = list(batch.parse_csv(fh) if fmt == "csv" else batch.parse_ndjson(fh))
    progress = click.progressbar(length=len(records), label=f"importing {file.name}", file=sys.stderr)
    with progress as bar, database.sessions() as session:
        result = batch.import_records(session, principal, records, rulebook, on_record=lambda: bar.update(1))
    summary = result.as_dict()
    for item in summary["results"]:
        if item["outcome"] == "rejected":
            for error in item["errors"]:
                click.echo(f"line {item['line']}: {error['field']}: {error['detail']}", err=True)
    click.echo(
        f"{summary['received']} records: {summary['created']} created, {summary['duplicates']} duplicates, "
        f"{summary['rejected']} rejected"
    )
    if summary["rejected"]:
        sys.exit(1)


@main.group()
def report() -> None:
    """Reports for the Victims Board."""


@report.command("compliance")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report_compliance(date_from, date_to, out: Path) -> None:  # noqa: ANN001
    """Write the compliance summary as a self-contained HTML page (chart by right, table by agency)."""
    if date_to < date_from:
        raise click.BadParameter("--to is before --from")
    settings = _settings()
    threshold = load_rulebook(settings.config_dir).catalogue.suppression_threshold
    database = _database(settings)
    with database.sessions() as session:
        by_right = board.summarise(session, date_from.date(), date_to.date(), ["right"], threshold)
        by_agency = board.summarise(session, date_from.date(), date_to.date(), ["agency"], threshold)
    out.write_text(compliance_report.render(by_right, by_agency, dt.datetime.now(dt.UTC)), encoding="utf-8")
    click.echo(f"wrote {out}", err=True)


def _seed_demo_credentials(settings: Settings) -> dict[str, str]:
    """On a fresh embedded install, one intake and one coordinator key so the API can be tried at once."""
    database = _database(settings)
    keys: dict[str, str] = {}
    with database.sessions() as session:
        if session.scalar(select(func.count()).select_from(Credential).where(Credential.name.like("demo-%"))):
            return keys
        for role in (Role.INTAKE, Role.COORDINATOR):
            keys[role.value] = create_credential(session, name=f"demo-{role.value}", role=role)
        session.commit()
    database.dispose()
    return keys


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _group_alive(process: subprocess.Popen) -> bool:
    try:
        os.killpg(process.pid, 0)
        return True
    except ProcessLookupError:
        return False


def _stop_groups(processes: list[subprocess.Popen], grace: float = 15.0) -> None:
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    while any(_group_alive(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    for process in processes:
        _signal_group(process, signal.SIGKILL)
        process.wait()


@main.command("run")
def run() -> None:
    """Run the API (gunicorn), one Celery worker and the beat; Ctrl-C stops them all."""
    settings = _settings()
    configure_logging(settings.log_level)
    _prepare(settings)
    demo_keys = _seed_demo_credentials(settings) if settings.embedded else {}
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    bin_dir = Path(sys.executable).parent
    web = [
        str(bin_dir / "gunicorn"),
        "--chdir",
        str(REPO_ROOT),
        "--workers",
        str(settings.web_workers),
        "--worker-class",
        "sync",
        "--bind",
        f"{settings.bind_host}:{settings.port}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    worker = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.app",
        "worker",
        "--beat",
        "--concurrency",
        "1",
        "--loglevel",
        "WARNING",
        # No --queues: the worker consumes every declared queue, one per provider included.
    ]
    if settings.embedded:
        worker += ["--schedule", str(settings.data_dir.resolve() / "beat-schedule")]
    # Each child leads its own process group, so stopping it also stops what it forked (gunicorn's
    # workers, Celery's pool and beat) and Ctrl-C reaches them only through us, in order.
    processes = [
        subprocess.Popen(web, env=env, start_new_session=True),
        subprocess.Popen(worker, env=env, cwd=REPO_ROOT, start_new_session=True),
    ]

    base = f"http://{settings.bind_host}:{settings.port}"
    mode = "embedded (SQLite + SQLite broker)" if settings.embedded else "production (PostgreSQL + Redis)"
    click.echo(f"VAL is starting in {mode} mode.")
    click.echo(f"  API      {base}/api/v1")
    click.echo(f"  Docs     {base}/docs   (OpenAPI: {base}/openapi.json)")
    click.echo(f"  Health   {base}/health   Ready: {base}/ready")
    for role, key in demo_keys.items():
        click.echo(f"  Demo {role} key (shown once): {key}")
    click.echo("  New credential: .venv/bin/val credentials create --role coordinator --name YOUR.NAME")
    click.echo("Press Ctrl-C to stop.")

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.5)
    finally:
        _stop_groups(processes)
    failed = [p.args[0] for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
    if failed and not stopping:
        raise click.ClickException(f"a process stopped unexpectedly: {failed}")


if __name__ == "__main__":
    main()
