"""`make pack-screenshot`: the README's picture of the Board pack, from demo data (fictional people) in a
throwaway SQLite database: January to October 2026, beside the ten months before."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

from harness.database import prepared
from val.demo.seeding import populate


def main() -> int:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/board-pack.png").resolve()
    os.environ.setdefault("VAL_SECRET_KEY", Fernet.generate_key().decode())
    scratch = Path(tempfile.mkdtemp(prefix="val-pack-"))
    url = f"sqlite:///{scratch / 'demo.sqlite'}"
    os.environ["VAL_DATABASE_URL"] = url
    from val.rulebook import load_rulebook
    from val.settings import load_settings

    settings = load_settings()
    database = prepared(url)
    made = populate(
        database, load_rulebook(settings.config_dir), settings, dt.date(2025, 3, 1), dt.date(2026, 10, 31), 40
    )
    database.dispose()
    page = scratch / "pack.html"
    val = Path(sys.executable).parent / "val"
    subprocess.run(
        [str(val), "report", "board", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(page)],
        check=True,
    )
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("headless Chromium is needed: scripts/ensure-system-packages installs it", file=sys.stderr)
        return 1
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={target}",
            "--window-size=794,2600",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"{made} demo referrals; wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
