"""`make fuzz`: the outside client with many more examples than `make test` gives it — every operation as every
role, every check, on PostgreSQL and on SQLite. Prints the totals; fails on any finding or on fewer requests
than the floor."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

from harness.database import prepared
from harness.identity import PERSON_ROLE_VALUES, IdentityProvider, person_token, signed_in_settings
from harness.outside_client import ROLES, Findings, run, serving
from harness.servers import PostgresServer

PROVIDER = "wmwa-idva"
# The client sends wrong and missing keys on purpose; throttled, every later request would be a 429 and test
# nothing else. The throttle has tests of its own.
UNTHROTTLED = 1_000_000


def _fuzz(url: str, examples: int) -> dict[str, Findings]:
    from val.app import create_app
    from val.auth.roles import Role
    from val.auth.service import create_credential
    from val.db.session import unit_of_work

    database = prepared(url)
    provider = IdentityProvider().start()
    app = create_app(
        overrides={
            "database_url": url,
            "auth_failures_per_minute": UNTHROTTLED,
            **signed_in_settings(provider),
        }
    )
    found: dict[str, Findings] = {}
    try:
        for role in ROLES:
            with unit_of_work(database) as session:
                key = create_credential(
                    session,
                    name=f"fuzz-{role}",
                    role=Role(role),
                    provider_id=PROVIDER if role == "provider" else None,
                    source_systems=("police-rms",) if role == "intake" else (),
                )
                session.commit()
            with serving(app) as base_url:
                found[role] = run(base_url, key, max_examples=examples)
        # People who sign in through their organisation, with its tokens instead of keys.
        for role in PERSON_ROLE_VALUES:
            with serving(app) as base_url:
                found[f"{role} (signed in)"] = run(
                    base_url, person_token(provider, role), max_examples=examples
                )
    finally:
        app.extensions["val"].db.dispose()
        database.dispose()
        provider.stop()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=int(os.environ.get("EXAMPLES", "40")))
    parser.add_argument("--floor", type=int, default=5000, help="fewest requests that count as a run")
    args = parser.parse_args()
    os.environ.setdefault("VAL_SECRET_KEY", Fernet.generate_key().decode())
    scratch = Path(tempfile.mkdtemp(prefix="val-fuzz-"))
    scratch.chmod(0o755)
    postgres = PostgresServer(scratch / "postgres").start()
    total = Findings()
    try:
        for name, url in (("postgresql", postgres.url), ("sqlite", f"sqlite:///{scratch / 'val.sqlite'}")):
            for role, findings in _fuzz(url, args.examples).items():
                print(
                    f"{name:<11} {role:<22} {findings.requests:>7} requests {len(findings.failures):>4} failures "
                    f"{len(findings.errors):>3} errors",
                    flush=True,
                )
                total.merge(findings)
    finally:
        postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    for line in total.errors + sorted(set(total.failures)):
        print(line)
    print(f"total: {total.requests} requests, {len(total.failures)} failures, {len(total.errors)} errors")
    print("answers by status:", ", ".join(f"{code}: {n}" for code, n in sorted(total.statuses.items())))
    if total.requests < args.floor:
        print(f"fewer than {args.floor} requests: not a run")
        return 1
    return 1 if total.failures or total.errors else 0


if __name__ == "__main__":
    sys.exit(main())
