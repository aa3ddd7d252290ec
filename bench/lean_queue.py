"""The lean baseline of the work queue: a bare WSGI callable that runs the plain indexed SQL for the same page
(the first slice of the priority order, or the family-name search) and returns its rows as JSON. No auth, no
audit, no enrichment, no framework (kept here, never in the product)."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import psycopg

_connection: psycopg.Connection | None = None

PRIORITY = """
SELECT id, number, status, received_at, risk_level, policing_area, earliest_open_due_on FROM cases
WHERE earliest_open_due_on < %(today)s
ORDER BY earliest_open_due_on, received_at, number LIMIT 51
"""
SEARCH = """
SELECT c.id, c.number, c.status, c.received_at, c.risk_level, c.policing_area, c.earliest_open_due_on FROM cases c
WHERE EXISTS (SELECT 1 FROM victims v WHERE v.case_id = c.id AND v.family_name_key >= %(q)s
              AND v.family_name_key < %(q)s || chr(1114111))
  AND c.earliest_open_due_on < %(today)s
ORDER BY c.earliest_open_due_on, c.received_at, c.number LIMIT 51
"""


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    global _connection
    if _connection is None:
        _connection = psycopg.connect(os.environ["LEAN_DSN"], autocommit=True)
    query = environ.get("QUERY_STRING", "")
    params = {"today": dt.date.today(), "q": query.partition("q=")[2].lower()}
    rows = _connection.execute(SEARCH if "q=" in query else PRIORITY, params).fetchall()
    payload = json.dumps({"items": [[str(v) for v in row] for row in rows[:50]]}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]
