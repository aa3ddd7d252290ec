"""`val simulate`: the routing what-if (docs/commissioning.md), from the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from val.cli.base import database, main, settings
from val.commissioning.replay import infos_of, period_cases
from val.commissioning.simulation import Setup, Simulation, simulate, uncapped
from val.db.session import read_only
from val.providers.directory import SERVICES, DirectoryError, load_directory
from val.routing.directory import provider_infos
from val.routing.rules import RoutingRulesError, load_table
from val.rulebook import load_rulebook

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.command("simulate")
@click.option("--routing", "routing_file", type=FILE, help="Proposed routing rules (routing.toml's format).")
@click.option(
    "--providers", "providers_file", type=FILE, help="Proposed directory (providers.toml's format)."
)
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def simulate_command(
    routing_file: Path | None,
    providers_file: Path | None,
    date_from: dt.datetime,
    date_to: dt.datetime,
    as_json: bool,
) -> None:
    """Replay the period's cases through proposed rules and directory: offers per service and provider, today
    and proposed, and the cases whose routes change. Nothing is written or sent."""
    if routing_file is None and providers_file is None:
        raise click.UsageError("give --routing, --providers or both")
    if date_to < date_from:
        raise click.BadParameter("--to is before --from")
    settings_ = settings()
    rulebook = load_rulebook(settings_.config_dir)
    policy = rulebook.routing
    try:
        table = load_table(routing_file, SERVICES) if routing_file else policy.table
        entries = load_directory(providers_file, settings_.policing_areas) if providers_file else None
    except (RoutingRulesError, DirectoryError) as exc:
        raise click.ClickException(str(exc)) from exc
    db = database(settings_)
    with read_only(db) as session:
        today_providers = uncapped(provider_infos(session)[0])
        today = Setup(policy.table, today_providers)
        proposed = Setup(table, infos_of(entries) if entries is not None else today_providers)
        cases = period_cases(session, policy, rulebook.catalogue, date_from.date(), date_to.date())
        result = simulate(cases, today, proposed)
    db.dispose()
    click.echo(json.dumps(result.as_dict(), indent=2) if as_json else _table(result))


def _table(result: Simulation) -> str:
    figures = result.as_dict()
    width = max([len(f"{o['service']} / {o['provider']}") for o in figures["offers"]] + [20])
    lines = [f"{'service / provider':<{width}}  {'today':>7}  {'proposed':>8}  {'change':>7}"]
    for o in figures["offers"]:
        name = f"{o['service']} / {o['provider']}"
        lines.append(f"{name:<{width}}  {o['today']:>7}  {o['proposed']:>8}  {o['difference']:>+7}")
    lines.append("")
    lines.append(f"{figures['cases']} cases replayed; {figures['changed_cases']} would be routed differently")
    for crime_type, n in figures["changed_cases_by_crime_type"].items():
        lines.append(f"  {crime_type}: {n}")
    return "\n".join(lines)
