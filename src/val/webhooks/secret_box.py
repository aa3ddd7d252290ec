"""Signing secrets at rest: each provider's `whsec_` secret is stored sealed with Fernet (AES-128-CBC +
HMAC-SHA256) under a key that never enters the database, so a copy of the database signs nothing.

Keys come from `VAL_SECRET_KEY` (comma-separated; the first seals, every one opens — so a key can be rotated:
put the new key first, run `val secrets reseal`, then drop the old one). The embedded mode keeps a key of its
own in the data directory, made on first use."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from val.settings import Settings, SettingsError

SEALED = "fernet:"
KEY_FILE = "secret.key"


class SecretUnopenable(SettingsError):
    """A signing secret sealed with a key VAL does not have (a key rotated without this process's key)."""


class SecretBox:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise SettingsError("secret_key: at least one Fernet key is needed")
        try:
            self.fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except ValueError as exc:
            raise SettingsError(
                "secret_key: each key must be a Fernet key (32 url-safe base64 bytes)"
            ) from exc

    def seal(self, secret: str) -> str:
        return SEALED + self.fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(SEALED):
            return stored  # written before secrets were sealed; `val secrets reseal` seals it
        try:
            return self.fernet.decrypt(stored.removeprefix(SEALED).encode()).decode()
        except InvalidToken:
            raise SecretUnopenable("a signing secret was sealed with a key VAL no longer has") from None

    def reseal(self, stored: str) -> str:
        """Sealed under the first key (a plain secret gets sealed)."""
        if not stored.startswith(SEALED):
            return self.seal(stored)
        return SEALED + self.fernet.rotate(stored.removeprefix(SEALED).encode()).decode()


def unopenable(box: SecretBox, sealed: list[str]) -> int:
    """How many of `sealed` this box cannot open."""
    missing = 0
    for stored in sealed:
        try:
            box.open(stored)
        except SecretUnopenable:
            missing += 1
    return missing


def box_for(settings: Settings) -> SecretBox:
    """Production must be given its key; the embedded mode makes one in its data directory."""
    if settings.secret_key:
        return SecretBox([k for k in settings.secret_key.split(",") if k.strip()])
    if not settings.embedded:
        raise SettingsError("VAL_SECRET_KEY is required outside the embedded mode (a Fernet key)")
    path = settings.data_dir.resolve() / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(Fernet.generate_key().decode())
    return SecretBox([Path(path).read_text().strip()])
