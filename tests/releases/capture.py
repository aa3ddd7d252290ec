"""Build a release's data with the release's own code (check the release out, and run this file from it): a few days of the Victim Advice Line (referrals of every kind, a
provider's answers, a coordinator's casework) in a fresh embedded database, then every row of every table and
what the API answered about every case, point and delivery. Run at each release:
`python -m tests.releases.capture v0.2.0`."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, select

from tests.releases.data import MATCH_KEY, SECRET_KEY, encode, path_of
from val.app import create_app
from val.auth.roles import Role
from val.auth.service import create_credential
from val.cli.base import prepare
from val.db.session import unit_of_work
from val.settings import load_settings
from val.webhooks.destinations import DestinationPolicy
from val.webhooks.endpoints import set_endpoint
from val.webhooks.secret_box import box_for

EXAMPLE = Path(__file__).parents[1] / "data" / "domain_example.json"
HOSTS = DestinationPolicy(allow_http=False, allow_loopback=False, allowlist=frozenset({"idva.example.org"}))


def _referral(reference: str, **changes: Any) -> dict[str, Any]:
    body = json.loads(EXAMPLE.read_text())
    body["source"]["reference"] = reference
    for path, value in changes.items():
        target = body
        *parents, leaf = path.split(".")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return body


def capture(release: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        settings = load_settings(
            environ={"VAL_DATA_DIR": work, "VAL_SECRET_KEY": SECRET_KEY, "VAL_MATCH_KEY": MATCH_KEY}
        )
        prepare(settings)
        app = create_app(settings=settings)
        database = app.extensions["val"].db
        with unit_of_work(database) as session:
            keys = {
                "intake": create_credential(
                    session, name="police", role=Role.INTAKE, source_systems=["police-rms"]
                ),
                "coordinator": create_credential(session, name="coordinator", role=Role.COORDINATOR),
                "idva": create_credential(session, name="idva", role=Role.PROVIDER, provider_id="wmwa-idva"),
                "admin": create_credential(session, name="admin", role=Role.ADMIN),
            }
            set_endpoint(
                session, "wmwa-idva", "https://idva.example.org/hooks", policy=HOSTS, box=box_for(settings)
            )
        client = app.test_client()

        def call(method: str, path: str, who: str, body: Any = None) -> Any:
            response = client.open(
                path, method=method, json=body, headers={"Authorization": f"Bearer {keys[who]}"}
            )
            assert response.status_code < 300, (path, response.get_json())
            return response.get_json()

        # High-risk domestic abuse (the example), an adult's and a child's sexual violence, a hate crime.
        kinds = [
            {},
            {"offence.flags": ["sexual_offence"], "victim.date_of_birth": "1990-01-01", "risk": None},
            {"offence.flags": ["sexual_offence"], "victim.date_of_birth": "2013-06-01", "risk": None},
            {"offence.flags": [], "offence.hate_strands": ["race"], "risk": None},
        ]
        cases = [
            call("POST", "/api/v1/referrals", "intake", _referral(f"REL/{n}", **changes))
            for n, changes in enumerate(kinds, start=1)
        ]
        idva = next(r for r in cases[0]["routes"] if r["service"] == "idva")["id"]
        now = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).replace(microsecond=0).isoformat()
        call("POST", f"/api/v1/provider/referrals/{idva}/accept", "idva")
        call(
            "POST", f"/api/v1/provider/referrals/{idva}/outcome", "idva", {"outcome": "in_support", "at": now}
        )
        second = cases[1]["id"]
        call(
            "POST",
            f"/api/v1/cases/{second}/contact-attempts",
            "coordinator",
            {"at": now, "channel": "phone", "outcome": "reached"},
        )
        call("POST", f"/api/v1/cases/{second}/notes", "coordinator", {"text": "Safe to call after 6pm."})
        call(
            "POST",
            f"/api/v1/cases/{cases[2]['id']}/events",
            "coordinator",
            {"type": "suspect_arrested", "occurred_at": now, "details": {}},
        )
        call(
            "POST",
            f"/api/v1/cases/{cases[3]['id']}/close",
            "coordinator",
            {"outcome": "support_declined", "at": now, "withdraw_open": True},
        )

        answers = read_back(client, keys, [case["id"] for case in cases])
        tables = MetaData()
        tables.reflect(bind=database.engine)
        rows: dict[str, list[dict[str, Any]]] = {}
        with database.engine.connect() as connection:
            for table in tables.sorted_tables:
                if table.name != "alembic_version":
                    rows[table.name] = [
                        encode(dict(row._mapping)) for row in connection.execute(select(_typed(table.name)))
                    ]
        fixture = {
            "release": release,
            "migration": _head(database.engine),
            "rows": rows,
            "answers": answers,
        }
        path_of(release).write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")
        database.dispose()


def _head(engine: Any) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _typed(table_name: str) -> Any:
    """The table as VAL's models type it, so the values read back are uuids, aware datetimes and JSON."""
    import val.models
    from val.db.base import Base

    assert val.models
    return Base.metadata.tables[table_name]


def read_back(client: Any, keys: dict[str, str], case_ids: list[str]) -> dict[str, Any]:
    """Every case, point and delivery as the API shows them, without what changes with the day it is read (a
    point's status as of now)."""

    def get(path: str, who: str) -> Any:
        response = client.get(path, headers={"Authorization": f"Bearer {keys[who]}"})
        assert response.status_code == 200, (path, response.get_json())
        return response.get_json()

    found: dict[str, Any] = {"cases": {}, "points": [], "deliveries": []}
    for case_id in case_ids:
        case = get(f"/api/v1/cases/{case_id}", "coordinator")
        for point in case["compliance_points"]:
            point.pop("status")
        found["cases"][case_id] = case
    points = get("/api/v1/compliance-points?limit=200", "coordinator")["items"]
    found["points"] = sorted(
        ({k: v for k, v in p.items() if k != "status"} for p in points), key=lambda p: p["id"]
    )
    deliveries = get("/api/v1/webhook-deliveries?limit=200", "admin")["items"]
    found["deliveries"] = sorted(deliveries, key=lambda d: d["id"])
    return found


if __name__ == "__main__":
    capture(sys.argv[1])
