"""Standard Webhooks v1 signatures, computed by the `standardwebhooks` package providers verify with."""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_header(message_id: str, timestamp: dt.datetime, body: str, secrets_: list[str]) -> str:
    """`v1,<sig>`; during a rotation one signature per live secret, space-separated."""
    return " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in secrets_)


def headers_for(message_id: str, timestamp: dt.datetime, body: str, secrets_: list[str]) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature_header(message_id, timestamp, body, secrets_),
        "Content-Type": "application/json",
    }
