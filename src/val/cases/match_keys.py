"""Where the repeat-victim key comes from: VAL_MATCH_KEY, or in the embedded mode a key made on first start in
the data directory (mode 0600). Production without one recognises no repeat victims, and says so."""

from __future__ import annotations

import logging
import os
import secrets

from val.cases.matching import MatchKeyer
from val.settings import Settings, SettingsError

KEY_FILE = "match.key"
log = logging.getLogger("val.cases")


def keyer_for(settings: Settings) -> MatchKeyer | None:
    if settings.match_key:
        if len(settings.match_key) < 32:
            raise SettingsError("match_key: at least 32 characters")
        return MatchKeyer(settings.match_key.encode())
    if not settings.embedded:
        log.warning("VAL_MATCH_KEY is not set: repeat victims are not recognised")
        return None
    path = settings.data_dir.resolve() / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_urlsafe(48))
    return MatchKeyer(path.read_text().strip().encode())
