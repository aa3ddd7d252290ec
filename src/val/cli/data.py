"""Data in and out: importing police exports, reports for the Victims Board."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from val.auth.roles import Role
from val.auth.service import CredentialError, system_principal
from val.board_pack.figures import Period, the_pack
from val.board_pack.render import render as render_pack
from val.calendar import london_date
from val.cli.base import database, in_unit_of_work, main, settings
from val.commissioning import report as return_report
from val.commissioning.returns import build_return
from val.compliance import board
from val.compliance import report as compliance_report
from val.db.session import read_only, unit_of_work
from val.records.match_keys import keyer_for
from val.referrals import batch
from val.referrals.schemas import configure_policing_areas
from val.rulebook import load_rulebook


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
    settings_ = settings()
    configure_policing_areas(settings_.policing_areas)
    rulebook = load_rulebook(settings_.config_dir)
    if fmt == "auto":
        fmt = "csv" if file.suffix.lower() == ".csv" else "ndjson"

    def principal_for(session):  # noqa: ANN001, ANN202
        try:
            return system_principal(session, as_name, Role.INTAKE)
        except CredentialError as exc:
            raise click.ClickException(str(exc)) from exc

    principal = in_unit_of_work(principal_for, settings_)
    with file.open(encoding="utf-8", newline="") as fh:
        records = list(batch.parse_csv(fh) if fmt == "csv" else batch.parse_ndjson(fh))
    db = database(settings_)
    progress = click.progressbar(length=len(records), label=f"importing {file.name}", file=sys.stderr)
    with progress as bar:
        # One unit of work per record: a rejected or failing record never costs the others.
        result = batch.import_records(
            lambda: unit_of_work(db),
            principal,
            records,
            rulebook,
            on_record=lambda: bar.update(1),
            repeat_keyer=keyer_for(settings_),
        )
    db.dispose()
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
def report_compliance(date_from: dt.datetime, date_to: dt.datetime, out: Path) -> None:
    """Write the compliance summary as a self-contained HTML page (chart by right, table by agency)."""
    if date_to < date_from:
        raise click.BadParameter("--to is before --from")
    settings_ = settings()
    catalogue = load_rulebook(settings_.config_dir).catalogue
    threshold, values = catalogue.suppression_threshold, board.dimensions(catalogue, settings_.policing_areas)
    db = database(settings_)
    with read_only(db) as session:
        by_right = board.summarise(session, date_from.date(), date_to.date(), ["right"], threshold, values)
        by_agency = board.summarise(session, date_from.date(), date_to.date(), ["agency"], threshold, values)
    db.dispose()
    out.write_text(compliance_report.render(by_right, by_agency, dt.datetime.now(dt.UTC)), encoding="utf-8")
    click.echo(f"wrote {out}", err=True)


@report.command("return")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report_return(date_from: dt.datetime, date_to: dt.datetime, out: Path) -> None:
    """Write the commissioner's return as a self-contained HTML page (chart by service, tables)."""
    if date_to < date_from:
        raise click.BadParameter("--to is before --from")
    settings_ = settings()
    catalogue = load_rulebook(settings_.config_dir).catalogue
    db = database(settings_)
    with read_only(db) as session:
        figures = build_return(session, catalogue, date_from.date(), date_to.date())
    db.dispose()
    out.write_text(return_report.render(figures, dt.datetime.now(dt.UTC)), encoding="utf-8")
    click.echo(f"wrote {out}", err=True)


@report.command("board")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report_board(date_from: dt.datetime, date_to: dt.datetime, out: Path) -> None:
    """Write the Victims Board pack: one self-contained, printable HTML page."""
    if date_to < date_from:
        raise click.BadParameter("--to is before --from")
    settings_ = settings()
    rulebook = load_rulebook(settings_.config_dir)
    db = database(settings_)
    now = dt.datetime.now(dt.UTC)
    with read_only(db) as session:
        pack = the_pack(
            session,
            rulebook.catalogue,
            rulebook.working_days,
            settings_.policing_areas,
            Period(date_from.date(), date_to.date()),
            london_date(now),
        )
    db.dispose()
    out.write_text(render_pack(pack, now), encoding="utf-8")
    click.echo(f"wrote {out}", err=True)
