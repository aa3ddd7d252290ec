"""Administration: the schema, credentials, the provider directory and webhook replays."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

import click
from cryptography.fernet import Fernet

from val.auth.roles import PERSON_ROLES, Role
from val.auth.service import (
    CredentialError,
    bind_source_systems,
    create_credential,
    list_credentials,
    revoke_credential,
)
from val.cli.base import (
    as_json_option,
    audited,
    in_unit_of_work,
    main,
    operator,
    prepare,
    refusing,
    secret_box,
    settings,
    show_rows,
)
from val.db import migrate
from val.db.session import DatabaseError
from val.providers import service as provider_admin
from val.providers import store as providers_store
from val.providers.store import ListedProvider
from val.webhooks import endpoints
from val.webhooks import kept as kept_deliveries
from val.webhooks.destinations import policy_for

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option(
    "--app-role",
    default=None,
    help="PostgreSQL: the role the service runs as, granted what it needs and no more (run this command as "
    "the schema's owner; docs/operations.md).",
)
def db_upgrade(app_role: str | None) -> None:
    """Apply every migration and load the provider directory."""
    settings_ = settings()
    prepare(settings_)
    if app_role:
        try:
            migrate.grant_app_role(settings_.effective_database_url, app_role)
        except (ValueError, DatabaseError) as exc:
            raise click.ClickException(f"could not grant to {app_role}: {type(exc).__name__}") from exc
        click.echo(f"{app_role} may read and write the tables and only add to audit_events", err=True)
    click.echo("database is up to date", err=True)


@main.group()
def credentials() -> None:
    """Bearer API keys."""


@credentials.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--provider", "provider_id", default=None, help="Provider id (provider role only).")
@click.option(
    "--source-system",
    "source_systems",
    multiple=True,
    help="Intake role only, and needed there: a record system the key sends referrals from (repeatable).",
)
@click.option("--name", required=True, help="Who holds the key, e.g. police-rms or jo.bloggs.")
def credentials_create(
    role: str, provider_id: str | None, source_systems: tuple[str, ...], name: str
) -> None:
    """Create a credential and print its key (shown this once only) alone on stdout."""
    if Role(role) in PERSON_ROLES and not settings().person_keys:
        raise click.ClickException(
            f"person_keys = false here: a {role} signs in through their organisation, never with a key"
        )
    key = in_unit_of_work(
        refusing(
            CredentialError,
            audited(
                "admin.credential_created",
                "credential",
                name,
                lambda s: create_credential(
                    s, name=name, role=Role(role), provider_id=provider_id, source_systems=source_systems
                ),
            ),
        )
    )
    click.echo(key)


@credentials.command("bind")
@click.argument("name")
@click.option("--source-system", "source_systems", multiple=True, required=True, help="Repeatable.")
def credentials_bind(name: str, source_systems: tuple[str, ...]) -> None:
    """Set the record systems an intake credential may send referrals from (replacing what it had)."""
    bound = in_unit_of_work(
        refusing(
            CredentialError,
            audited(
                "admin.credential_bound",
                "credential",
                name,
                lambda s: bind_source_systems(s, name, source_systems),
            ),
        )
    )
    click.echo(f"{name} sends from {', '.join(bound)}", err=True)


@credentials.command("revoke")
@click.argument("name")
def credentials_revoke(name: str) -> None:
    """Revoke a credential at once."""
    in_unit_of_work(
        refusing(
            CredentialError,
            audited("admin.credential_revoked", "credential", name, lambda s: revoke_credential(s, name)),
        )
    )
    click.echo(f"revoked {name}", err=True)


@credentials.command("list")
@as_json_option
def credentials_list(as_json: bool) -> None:
    """Credentials and their roles (never their keys)."""
    rows = in_unit_of_work(
        audited(
            "admin.credentials_listed",
            "credential",
            "list",
            lambda s: [
                {
                    "name": c.name,
                    "role": c.role,
                    "bound_to": c.provider_id or list(c.source_systems or ()),
                    "state": "revoked" if c.revoked_at else "active",
                    "created": f"{c.created_at:%Y-%m-%d}",
                }
                for c in list_credentials(s)
            ],
            count=len,
        )
    )
    show_rows(rows, as_json)


@main.group()
def providers() -> None:
    """The provider directory."""


def _directory_row(p: ListedProvider) -> dict[str, Any]:
    ages = f"{p.min_age if p.min_age is not None else 0}-{p.max_age if p.max_age is not None else ''}"
    state = "active" if p.available else "disabled" if p.admin_disabled else "inactive"
    endpoint = "endpoint disabled" if p.endpoint_disabled_at else p.webhook_url or "no endpoint"
    return {
        "id": p.id,
        "services": list(p.services),
        "policing_areas": list(p.policing_areas),
        "ages": f"ages {ages}",
        "state": state,
        "endpoint": endpoint,
    }


@providers.command("list")
@as_json_option
def providers_list(as_json: bool) -> None:
    """The provider directory: services, areas, ages, whether it takes work, its endpoint."""
    show_rows(in_unit_of_work(lambda s: [_directory_row(p) for p in providers_store.listed(s)]), as_json)


@providers.command("set-endpoint")
@click.argument("provider_id")
@click.option("--url", required=True, help="The provider's webhook URL (https://).")
def providers_set_endpoint(provider_id: str, url: str) -> None:
    """Register a webhook endpoint; prints the new whsec_ signing secret alone on stdout (shown once)."""
    settings_ = settings()
    policy = policy_for(
        allow_http=settings_.http_webhooks_allowed,
        embedded=settings_.embedded,
        allowlist=settings_.webhook_host_allowlist,
    )
    box = secret_box(settings_)
    click.echo(
        in_unit_of_work(
            audited(
                "admin.endpoint_set",
                "provider",
                provider_id,
                lambda s: endpoints.set_endpoint(s, provider_id, url, policy=policy, box=box),
                detail=url,  # where the provider's webhooks will go: the trail says, not only that it changed
            )
        )
    )


@providers.command("rotate-secret")
@click.argument("provider_id")
def providers_rotate_secret(provider_id: str) -> None:
    """A new signing secret (printed alone); the old one keeps signing alongside it for the overlap period."""
    settings_ = settings()
    overlap, box = dt.timedelta(hours=settings_.secret_rotation_overlap_hours), secret_box(settings_)
    click.echo(
        in_unit_of_work(
            audited(
                "admin.secret_rotated",
                "provider",
                provider_id,
                lambda s: endpoints.rotate_secret(s, provider_id, overlap, box),
            )
        )
    )


@providers.command("disable")
@click.argument("provider_id")
def providers_disable(provider_id: str) -> None:
    """Offer this provider nothing new."""
    in_unit_of_work(
        audited(
            "admin.provider_disabled",
            "provider",
            provider_id,
            lambda s: provider_admin.set_enabled(s, provider_id, False),
        )
    )
    click.echo(f"{provider_id} disabled", err=True)


@providers.command("enable")
@click.argument("provider_id")
def providers_enable(provider_id: str) -> None:
    in_unit_of_work(
        audited(
            "admin.provider_enabled",
            "provider",
            provider_id,
            lambda s: provider_admin.set_enabled(s, provider_id, True),
        )
    )
    click.echo(f"{provider_id} enabled", err=True)


@main.group("secrets")
def secrets_group() -> None:
    """The key that seals providers' signing secrets at rest."""


@secrets_group.command("reseal")
def secrets_reseal() -> None:
    """Seal every signing secret under the first key of VAL_SECRET_KEY (after putting a new key first)."""
    box = secret_box(settings())
    count = in_unit_of_work(
        audited("admin.secrets_resealed", "provider", "all", lambda s: endpoints.reseal_secrets(s, box))
    )
    click.echo(f"{count} signing secrets sealed under the current key", err=True)


@secrets_group.command("new-key")
def secrets_new_key() -> None:
    """Print a new Fernet key (alone on stdout) to put first in VAL_SECRET_KEY."""
    click.echo(Fernet.generate_key().decode())


@main.group()
def webhooks() -> None:
    """Webhook deliveries."""


@webhooks.command("replay")
@click.argument("delivery_id", type=click.UUID)
def webhooks_replay(delivery_id: uuid.UUID) -> None:
    """Send a kept delivery again (same webhook-id)."""

    def replay(session: Session) -> uuid.UUID:
        return kept_deliveries.replay(session, operator(session), delivery_id, None).id

    click.echo(f"{in_unit_of_work(replay)} queued for delivery", err=True)
