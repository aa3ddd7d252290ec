"""People who sign in through their organisation: who has signed in, and refusing one at once."""

from __future__ import annotations

from typing import Any

import click

from val.auth.people import PersonError, every_person, set_disabled
from val.auth.store import PersonRecord
from val.cli.base import as_json_option, audited, in_unit_of_work, main, refusing, show_rows


@main.group()
def people() -> None:
    """People who sign in through their organisation's identity provider (docs/operations.md, "Sign-in")."""


def _row(person: PersonRecord) -> dict[str, Any]:
    return {
        "subject": person.subject,
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "state": f"disabled {person.disabled_at:%Y-%m-%d}" if person.disabled_at else "active",
        "first_seen": person.first_seen_at,
        "last_seen": person.last_seen_at,
    }


@people.command("list")
@as_json_option
def people_list(as_json: bool) -> None:
    """Everyone who has signed in, first seen first: subject, name, email, role, state, when seen."""
    rows = in_unit_of_work(
        audited(
            "admin.people_listed", "person", "list", lambda s: [_row(p) for p in every_person(s)], count=len
        )
    )
    show_rows(rows, as_json)


@people.command("disable")
@click.argument("subject")
def people_disable(subject: str) -> None:
    """Refuse this person at once, even while their token is still valid (their subject, from `people list`)."""
    _switch(subject, disabled=True)


@people.command("enable")
@click.argument("subject")
def people_enable(subject: str) -> None:
    """Let a disabled person sign in again."""
    _switch(subject, disabled=False)


def _switch(subject: str, *, disabled: bool) -> None:
    done = "disabled" if disabled else "enabled"
    person = in_unit_of_work(
        refusing(
            PersonError,
            audited(f"admin.person_{done}", "person", subject, lambda s: set_disabled(s, subject, disabled)),
        )
    )
    click.echo(f"{done} {person.name} ({subject})", err=True)
