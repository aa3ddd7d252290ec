"""The secrets that sign a provider's webhooks now, opened from their sealed form; and the alert when one cannot
be opened (a key rotation this process was not given)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from val.alerts.kinds import AlertKind
from val.alerts.service import raise_alert_once
from val.webhooks.secret_box import SecretBox

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def live_secrets(provider: Any, now: dt.datetime, box: SecretBox) -> list[str]:
    """The secrets that sign now, opened from their sealed form."""
    live = [box.open(provider.signing_secret)] if provider.signing_secret else []
    if provider.previous_signing_secret and (
        provider.previous_secret_expires_at is None or provider.previous_secret_expires_at > now
    ):
        live.append(box.open(provider.previous_signing_secret))
    return live


SECRET_UNOPENABLE = AlertKind.WEBHOOK_SECRET_UNOPENABLE


def alert_secret_unopenable(session: Session, provider_id: str) -> None:
    """One open alert per provider whose secret cannot be opened: webhooks to it are held until it can."""
    detail = (
        f"Webhooks to {provider_id} are held: its signing secret was sealed with a key this VAL does not have. "
        "Give VAL that key (VAL_SECRET_KEY, or the embedded mode's secret.key) or set a new endpoint secret."
    )
    raise_alert_once(session, SECRET_UNOPENABLE, detail)
