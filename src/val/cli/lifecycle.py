"""The data lifecycle from the command line (docs/data-lifecycle.md): retention and the subject access export."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from val.auth.roles import Role
from val.auth.service import system_principal
from val.cases.store import case_id_for_reference
from val.cli.base import in_unit_of_work, main, settings
from val.lifecycle.retention import RetentionRun, apply_retention
from val.lifecycle.subject_access import as_html, as_json, subject_access

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@main.group()
def retention() -> None:
    """Anonymise closed cases past the retention period."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
def retention_apply(dry_run: bool) -> None:
    """Erase who the victim is from cases closed more than retention_years ago; every figure stays."""
    settings_ = settings()

    def run(session: Session) -> RetentionRun:
        principal = system_principal(session, "retention", Role.ADMIN)
        return apply_retention(session, principal, settings_.retention_years, dry_run=dry_run)

    done = in_unit_of_work(run, settings_)
    verb = "would be anonymised" if done.dry_run else "anonymised"
    click.echo(f"{done.anonymised} cases closed before {done.cutoff.date().isoformat()} {verb}")


@main.command("subject-access")
@click.option(
    "--case",
    "case_given",
    required=True,
    help="The case asked about: its id or its VAL reference (VAL-YYYY-N).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory for the export (JSON and an HTML page).",
)
def subject_access_command(case_given: str, out: Path) -> None:
    """Everything VAL holds about a victim, across the cases confirmed as theirs, for a subject access
    request."""

    def export(session: Session) -> dict[str, Any]:
        case_id = _case_named(session, case_given)
        return subject_access(session, system_principal(session, "cli-admin", Role.ADMIN), case_id)

    found = in_unit_of_work(export)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out}: {exc.strerror or exc}") from None
    stem = out / f"subject-access-{found['cases'][0]['case']['reference']}"
    json_path, html_path = stem.with_suffix(".json"), stem.with_suffix(".html")
    json_path.write_text(as_json(found), encoding="utf-8")
    html_path.write_text(as_html(found), encoding="utf-8")
    for path in (json_path, html_path):
        path.chmod(0o600)  # special category data: readable by whoever ran it, no one else
    click.echo(f"{json_path}\n{html_path}")


def _case_named(session: Session, given: str) -> uuid.UUID:
    try:
        return uuid.UUID(given)
    except ValueError:
        found = case_id_for_reference(session, given)
    if found is None:
        raise click.ClickException(f"no case with the id or VAL reference {given!r}")
    return found
