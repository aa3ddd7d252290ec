"""One frozen Settings object: config/defaults.toml, then VAL_* environment, then explicit overrides."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

# The rule files ship inside the package (src/val/config is the repository's config/), so a checkout and an
# installed wheel find them alike; VAL_CONFIG_DIR points elsewhere.
PACKAGED_CONFIG_DIR = Path(__file__).resolve().parent / "config"


class SettingsError(ValueError):
    """A setting is missing or malformed; the service refuses to start."""


@dataclass(frozen=True)
class Settings:
    config_dir: Path = PACKAGED_CONFIG_DIR
    data_dir: Path = Path("./var")
    database_url: str = ""
    broker_url: str = ""
    bind_host: str = "127.0.0.1"
    port: int = 8000
    web_workers: int = 2
    web_threads: int = 16
    log_level: str = "INFO"
    max_body_bytes: int = 65536
    # `val run`: a request not read whole within this many seconds is answered 408 (docs/operations.md).
    request_read_seconds: float = 30.0
    max_batch_bytes: int = 10 * 1024 * 1024
    max_batch_records: int = 5000
    idempotency_ttl_hours: int = 24
    idempotency_lock_seconds: int = 10
    webhook_retry_schedule: str = (
        "0,5,10,20,40,80,160,300,600,1200,1800,3600,7200,18000,36000,50400,72000,86400"
    )
    webhook_lease_seconds: int = 30
    webhook_sweep_seconds: float = 1.0
    # /ready reports checks run in the background this often (docs/operations.md).
    ready_check_seconds: float = 2.0
    # Plain-HTTP provider endpoints: for the embedded/dev mode and tests only; production needs HTTPS.
    allow_http_webhooks: bool | None = None
    # Hosts a webhook may go to whatever they resolve to (tests' loopback receivers); empty in production.
    webhook_host_allowlist: tuple[str, ...] = field(default_factory=tuple)
    secret_rotation_overlap_hours: int = 24
    # A provider endpoint whose every attempt has failed for this long is disabled, with an alert.
    endpoint_disable_after_days: float = 5.0
    # Fernet keys sealing signing secrets at rest (comma-separated, first seals); the embedded mode makes one.
    secret_key: str = ""
    match_key: str = ""
    retention_years: int = 6
    force_area_name: str = "West Mercia"
    reminder_hours_before: float = 4.0
    unreached_attempts_alert: int = 3
    provider_view_days_after_close: int = 30
    auth_failures_per_minute: int = 20
    trusted_proxies: int = 0
    # Where clients reach VAL (e.g. https://val.example.police.uk): absolute links are built from it, never
    # from the Host header a client sent. Empty: links are relative to the request.
    public_base_url: str = ""
    policing_areas: tuple[str, ...] = field(default_factory=tuple)
    # Sign-in through the organisation's OpenID provider for coordinators, the Board and admins (docs/operations.md,
    # "Sign-in"). Empty issuer: keys only.
    oidc_issuer: str = ""
    oidc_audience: str = ""
    oidc_roles_claim: str = "roles"
    oidc_role_values: str = "coordinator=coordinator,board=board,admin=admin"
    oidc_docs_client_id: str = ""
    oidc_docs_scopes: str = "openid profile email"
    oidc_docs_token: str = "access_token"
    # False: coordinator, Board and admin keys are refused; those people sign in through the issuer.
    person_keys: bool = True
    # Messages to victims through GOV.UK Notify (docs/victims.md). Empty key: messages wait, unsent, until one is
    # set. The receipts token is the bearer token Notify sends with its delivery receipts.
    notify_api_key: str = ""
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_receipts_token: str = ""
    message_retry_schedule: str = "0,10,30,60,120,300,600,1800,3600,7200,14400,28800"
    message_sweep_seconds: float = 2.0
    message_lease_seconds: int = 30
    # A feedback link works this many days, once.
    feedback_link_days: int = 30
    # The public self-referral page (docs/victims.md): sends an address may make a minute, and the largest.
    self_referrals_per_minute: int = 10
    # Where "Exit this page" on a victim's pages goes: a page anyone might be reading.
    quick_exit_url: str = "https://www.bbc.co.uk/weather"
    self_referral_max_bytes: int = 16384

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'val.sqlite'}"

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{self.data_dir.resolve() / 'broker.sqlite'}"

    @property
    def beat_schedule_file(self) -> Path:
        """Where the beat keeps its state: with the data, never in the working directory."""
        return self.data_dir.resolve() / "beat-schedule"

    @property
    def webhook_schedule(self) -> tuple[float, ...]:
        """Seconds before attempt 1, 2, …"""
        return parse_schedule(self.webhook_retry_schedule)

    @property
    def http_webhooks_allowed(self) -> bool:
        return self.embedded if self.allow_http_webhooks is None else self.allow_http_webhooks

    @property
    def embedded(self) -> bool:
        """True when running on SQLite: the no-server default of `make run`."""
        return self.effective_database_url.startswith("sqlite")

    def with_overrides(self, **overrides: Any) -> Settings:
        return load_settings(overrides=overrides, environ={}, base=self)


def _coerce(name: str, kind: Any, value: Any) -> Any:
    try:
        if kind in (int, "int"):
            return int(value)
        if kind in (float, "float"):
            return float(value)
        if kind in ("bool | None", "bool"):
            if isinstance(value, bool) or value is None:
                return value
            lowered = str(value).strip().lower()
            if lowered in ("", "auto"):
                return None
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if kind in (Path, "Path"):
            return Path(value)
        if kind in ("tuple[str, ...]",):
            if isinstance(value, str):
                return tuple(v.strip() for v in value.split(",") if v.strip())
            return tuple(str(v) for v in value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {name!r}: cannot read {value!r} as {kind}") from exc


def load_settings(
    overrides: dict[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    base: Settings | None = None,
) -> Settings:
    """Build settings; unknown keys anywhere are an error so a typo never passes silently."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    known = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    if base is None:
        config_dir = Path(
            env.get("VAL_CONFIG_DIR") or (overrides or {}).get("config_dir") or PACKAGED_CONFIG_DIR
        )
        defaults_file = config_dir / "defaults.toml"
        if not defaults_file.is_file():
            raise SettingsError(f"configuration file not found: {defaults_file}")
        with defaults_file.open("rb") as fh:
            defaults = tomllib.load(fh)
        unknown = set(defaults) - set(known)
        if unknown:
            raise SettingsError(f"{defaults_file.name}: unknown settings {sorted(unknown)}")
        values.update(defaults)
        values["config_dir"] = config_dir
        for name in known:
            env_value = env.get(f"VAL_{name.upper()}")
            if env_value not in (None, ""):
                values[name] = env_value
    else:
        values = {f.name: getattr(base, f.name) for f in fields(Settings)}
    for name, value in (overrides or {}).items():
        if name not in known:
            raise SettingsError(f"unknown setting {name!r}")
        values[name] = value
    coerced = {name: _coerce(name, known[name], value) for name, value in values.items()}
    settings = Settings(**coerced)
    _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    if not settings.policing_areas:
        raise SettingsError("policing_areas must list at least one area")
    url = settings.effective_database_url
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise SettingsError("database_url must be a sqlite:// or postgresql:// URL")
    try:
        parse_schedule(settings.webhook_retry_schedule)
    except ValueError as exc:
        raise SettingsError(f"webhook_retry_schedule: {exc}") from exc
    if settings.public_base_url and not settings.public_base_url.startswith(("https://", "http://")):
        raise SettingsError("public_base_url must be an absolute http(s):// URL")
    if settings.max_body_bytes < 1024:
        raise SettingsError("max_body_bytes must be at least 1024")
    if settings.oidc_issuer and not settings.oidc_audience.strip(","):
        raise SettingsError(
            "oidc_audience is needed with oidc_issuer: the audience VAL's tokens are issued for"
        )
    if not settings.person_keys and not settings.oidc_issuer:
        raise SettingsError("person_keys = false needs oidc_issuer: otherwise no coordinator could act")
    _validate_notify(settings)
    if not settings.quick_exit_url.startswith(("https://", "http://")):
        raise SettingsError("quick_exit_url must be an absolute http(s):// URL")


# Notify's API key: its name, then the service id and the secret (two UUIDs), joined by hyphens.
NOTIFY_KEY = re.compile(
    r"^[A-Za-z0-9_ .-]+-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$"
)


def _validate_notify(settings: Settings) -> None:
    if settings.notify_api_key and not NOTIFY_KEY.match(settings.notify_api_key):
        raise SettingsError(
            "notify_api_key is not a GOV.UK Notify API key (its name, the service id and the secret, joined by "
            "hyphens); copy it whole from Notify's API integration page"
        )
    if not settings.notify_base_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise SettingsError(
            "notify_base_url must be https:// (plain http only on loopback, for the local stand-in)"
        )
    if settings.notify_receipts_token and len(settings.notify_receipts_token) < 32:
        raise SettingsError("notify_receipts_token must be at least 32 characters (Notify accepts up to 255)")
    try:
        parse_schedule(settings.message_retry_schedule)
    except ValueError as exc:
        raise SettingsError(f"message_retry_schedule: {exc}") from exc


def parse_schedule(text: str) -> tuple[float, ...]:
    values = tuple(float(part) for part in text.split(",") if part.strip())
    if not values or any(v < 0 for v in values):
        raise ValueError("a retry schedule is a comma-separated list of non-negative seconds")
    return values


def replace(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, **changes)
