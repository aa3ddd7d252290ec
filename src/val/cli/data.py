"""Data in and out: importing police exports, reports for the Victims Board."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from val.audit.service import record_board_query
from val.auth.roles import Principal, Role
from val.auth.service import CredentialError, system_principal
from val.board_pack.figures import Period, the_pack
from val.board_pack.render import render as render_pack
from val.calendar import london_date, reporting_period_problem
from val.cases.match_keys import keyer_for
from val.cli.base import database, in_unit_of_work, main, operator, require_current_schema, settings
from val.cli.parallel_import import default_jobs, import_database, import_in_parallel
from val.cli.progress import Progress
from val.commissioning import report as return_report
from val.commissioning.api import ReturnSchema
from val.commissioning.returns import build_return
from val.compliance import board
from val.compliance import report as compliance_report
from val.compliance.schemas import SummarySchema
from val.db.session import read_only, unit_of_work
from val.metrics.store import add_to_tally
from val.referrals import batch
from val.referrals.schemas import configure_policing_areas
from val.rulebook import Rulebook, load_rulebook
from val.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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
@click.option(
    "--jobs",
    type=click.IntRange(1, 16),
    default=None,
    help="Processes importing at once [default: the machine's cores, at most 4].",
)
@click.option(
    "--per-transaction",
    type=click.IntRange(1, 10_000),
    default=500,
    show_default=True,
    help="Records committed together: a failed transaction loses only its own, and importing the file "
    "again skips what was committed.",
)
def import_file(file: Path, fmt: str, as_name: str, jobs: int | None, per_transaction: int) -> None:
    """Import referrals from NDJSON or CSV (dotted column names). Re-importing a file creates no new cases."""
    settings_ = settings()
    require_current_schema(settings_)
    configure_policing_areas(settings_.policing_areas)
    if fmt == "auto":
        fmt = "csv" if file.suffix.lower() == ".csv" else "ndjson"

    def principal_for(session: Session) -> Principal:
        try:
            return system_principal(session, as_name, Role.INTAKE)
        except CredentialError as exc:
            raise click.ClickException(str(exc)) from exc

    principal = in_unit_of_work(principal_for, settings_)
    result = _imported(settings_, principal, file, fmt, jobs, per_transaction)
    summary = result.as_dict()
    tallied = {
        "created": summary["created"],
        "duplicate": summary["duplicates"],
        "rejected": summary["rejected"],
    }
    in_unit_of_work(lambda session: add_to_tally(session, "import", tallied), settings_)
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


def _imported(
    settings_: Settings, principal: Principal, file: Path, fmt: str, jobs: int | None, per_transaction: int
) -> batch.BatchResult:
    """The file imported with a progress bar. It is read as it is imported, and only rejected records' answers
    are kept: memory stays flat however long the file."""
    total = _count_records(file, fmt)
    jobs = min(jobs or default_jobs(), -(-total // per_transaction) or 1)
    result = batch.rejected_only()
    with file.open(encoding="utf-8", newline="") as fh, Progress(total, f"importing {file.name}") as bar:
        records = batch.parse_csv(fh) if fmt == "csv" else batch.parse_ndjson(fh)
        if jobs > 1:
            return import_in_parallel(
                settings_,
                principal,
                records,
                jobs=jobs,
                records_per_transaction=per_transaction,
                on_records=bar.update,
                into=result,
            )
        db = import_database(settings_)
        try:
            return batch.import_records(
                lambda: unit_of_work(db),
                principal,
                records,
                load_rulebook(settings_.config_dir),
                on_records=bar.update,
                repeat_keyer=keyer_for(settings_),
                records_per_transaction=per_transaction,
                into=result,
            )
        finally:
            db.dispose()


def _count_records(file: Path, fmt: str) -> int:
    """How many records the file holds (for the progress bar), read once without keeping them."""
    with file.open(encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            return sum(1 for _ in batch.csv_rows(fh))
        return sum(1 for line in fh if line.strip())


@main.group()
def report() -> None:
    """Reports for the Victims Board."""


Render = Callable[["Session", Settings, Rulebook, dt.date, dt.date, dt.datetime], str]
Figures = Callable[["Session", Settings, Rulebook, dt.date, dt.date], dict[str, Any]]


def report_command(name: str, figures: Figures | None = None) -> Callable[[Render], click.Command]:
    """A report command: --from, --to and --out; the function renders the page from a read-only session.
    With `figures`, `--json` writes those instead (as the API answers them), to --out or standard output."""

    def register(render: Render) -> click.Command:
        @click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), required=True)
        @click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), required=True)
        @click.option(
            "--out",
            type=click.Path(dir_okay=False, path_type=Path),
            help="The file to write" + (" (standard output with --json)" if figures else "") + ".",
        )
        def command(
            date_from: dt.datetime, date_to: dt.datetime, out: Path | None, as_json: bool = False
        ) -> None:
            start, end = date_from.date(), date_to.date()
            problem = reporting_period_problem(start, end)
            if problem is not None:
                raise click.BadParameter(problem, param_hint="--from/--to")
            if out is None and not as_json:
                raise click.UsageError("Missing option '--out'.")
            settings_ = settings()
            rulebook = load_rulebook(settings_.config_dir)
            # Asked for like the API's Board figures, and recorded like them (a run of differencing reports
            # shows in the trail), before anything is read.
            in_unit_of_work(
                lambda session: record_board_query(
                    session, operator(session), f"report_{name}", {"from_": start, "to": end}, None
                ),
                settings_,
            )
            db = database(settings_)
            with read_only(db) as session:
                if as_json and figures is not None:
                    text = json.dumps(figures(session, settings_, rulebook, start, end), indent=2) + "\n"
                else:
                    text = render(session, settings_, rulebook, start, end, dt.datetime.now(dt.UTC))
            db.dispose()
            _write(text, out)

        if figures is not None:
            command = click.option(
                "--json", "as_json", is_flag=True, help="The figures as JSON, as the API answers them."
            )(command)
        return report.command(name, help=render.__doc__)(command)

    return register


def _write(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"wrote {out}", err=True)


def _compliance_figures(
    session: Session, settings_: Settings, rulebook: Rulebook, start: dt.date, end: dt.date
) -> dict[str, Any]:
    """The summary by right and by agency, each as `GET /board/compliance-summary` answers it."""
    catalogue = rulebook.catalogue
    threshold, values = catalogue.suppression_threshold, board.dimensions(catalogue, settings_.policing_areas)
    return {
        f"by_{group}": SummarySchema().dump(
            board.summarise(session, start, end, [group], threshold, values).as_dict()
        )
        for group in ("right", "agency")
    }


def _return_figures(
    session: Session, settings_: Settings, rulebook: Rulebook, start: dt.date, end: dt.date
) -> dict[str, Any]:
    """The return as `GET /board/commissioning-return` answers it."""
    return cast(dict[str, Any], ReturnSchema().dump(build_return(session, rulebook.catalogue, start, end)))


@report_command("compliance", _compliance_figures)
def report_compliance(
    session: Session, settings_: Settings, rulebook: Rulebook, start: dt.date, end: dt.date, now: dt.datetime
) -> str:
    """Write the compliance summary as a self-contained HTML page (chart by right, table by agency)."""
    catalogue = rulebook.catalogue
    threshold, values = catalogue.suppression_threshold, board.dimensions(catalogue, settings_.policing_areas)
    by_right = board.summarise(session, start, end, ["right"], threshold, values)
    by_agency = board.summarise(session, start, end, ["agency"], threshold, values)
    return compliance_report.render(by_right, by_agency, now)


@report_command("return", _return_figures)
def report_return(
    session: Session, settings_: Settings, rulebook: Rulebook, start: dt.date, end: dt.date, now: dt.datetime
) -> str:
    """Write the commissioner's return as a self-contained HTML page (chart by service, tables)."""
    return return_report.render(build_return(session, rulebook.catalogue, start, end), now)


@report_command("board")
def report_board(
    session: Session, settings_: Settings, rulebook: Rulebook, start: dt.date, end: dt.date, now: dt.datetime
) -> str:
    """Write the Victims Board pack: one self-contained, printable HTML page."""
    pack = the_pack(
        session,
        rulebook.catalogue,
        rulebook.working_days,
        settings_.policing_areas,
        Period(start, end),
        london_date(now),
    )
    return render_pack(pack, now)
