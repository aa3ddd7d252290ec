"""Standard Webhooks v1 signatures, computed by the `standardwebhooks` package providers verify with."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from importlib.metadata import version as _version

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_header(message_id: str, timestamp: dt.datetime, body: str, secrets_: list[str]) -> str:
    """`v1,<sig>`; during a rotation one signature per live secret, space-separated."""
    return " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in secrets_)


USER_AGENT = f"VAL-Webhooks/{_version('val')} (Victim Advice Line; Standard Webhooks)"


def headers_for(message_id: str, timestamp: dt.datetime, body: str, secrets_: list[str]) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature_header(message_id, timestamp, body, secrets_),
        "Content-Type": "application/json",
        # So a provider's firewall and logs can tell VAL's webhooks from anything else (never requests' own).
        "User-Agent": USER_AGENT,
    }
