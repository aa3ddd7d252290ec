"""`val demo`: sample data on a fresh embedded install, so the README's commands have something to show."""

from __future__ import annotations

import datetime as dt

import click

from val.calendar import london_date
from val.cli.base import audited, database, in_unit_of_work, main, prepare, settings
from val.demo import store
from val.demo.seeding import seed_recent
from val.rulebook import load_rulebook


@main.command("demo")
@click.option(
    "--referrals",
    type=click.IntRange(1, 5000),
    default=150,
    show_default=True,
    help="About how many sample referrals, received over the last 90 days.",
)
def demo(referrals: int) -> None:
    """Fill an empty embedded database with fictional referrals of every kind and area: some offered, accepted
    or declined by providers, some with Victims' Code duties overdue. Only the embedded (SQLite) database, and
    only while it holds no cases: sample referrals must never reach a real provider or mix with real cases."""
    settings_ = settings()
    if not settings_.embedded:
        raise click.ClickException(
            "val demo fills only the embedded (SQLite) database: sample referrals must never reach real providers"
        )
    prepare(settings_)
    held = in_unit_of_work(store.case_count, settings_)
    if held:
        raise click.ClickException(
            f"the database already holds {held} cases: sample data goes only into an empty one"
        )
    db = database(settings_)
    try:
        seeded = seed_recent(
            db,
            load_rulebook(settings_.config_dir),
            settings_,
            referrals,
            london_date(dt.datetime.now(dt.UTC)),
        )
    finally:
        db.dispose()
    in_unit_of_work(
        audited("demo.seeded", "database", "sample", lambda _: seeded.referrals, count=int), settings_
    )
    click.echo(
        f"{seeded.referrals} sample referrals: {seeded.offered} offers waiting for a provider, {seeded.accepted} "
        f"accepted, {seeded.declined} declined; {seeded.overdue} Victims' Code duties overdue"
    )
