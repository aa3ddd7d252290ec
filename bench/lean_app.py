"""The lean baseline: the floor cost of intake in this stack (kept here, never in the product).

A bare WSGI callable that parses the same JSON body and inserts the same rows as intake of the example
referral (tests/data/domain_example.json)
(case, victim, offence, triage decision, three compliance points, two assignments, audit event) with plain
SQL in one transaction, under the same gunicorn settings as the product: one round trip per statement, or
(LEAN_PIPELINE=1) all of them and the commit in one. No validation, no triage or routing
rules, no auth, no ORM, no framework.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import uuid

import psycopg
from psycopg.types.json import Jsonb

_connection: psycopg.Connection | None = None


def _db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["LEAN_DSN"])
    return _connection


def app(environ, start_response):
    body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    now = dt.datetime.now(dt.UTC)
    case_id = uuid.uuid4()
    source, victim, offence = body["source"], body["victim"], body["offence"]
    key = hashlib.sha256(
        f"{source['system']}|{source['reference']}|{victim['date_of_birth']}".encode()
    ).hexdigest()
    conn = _db()
    # LEAN_PIPELINE=1: every statement and the commit go in one round trip (psycopg's pipeline mode), the true
    # floor of writing these rows; otherwise one round trip per statement.
    pipelined = os.environ.get("LEAN_PIPELINE") == "1"
    first = conn.cursor()
    with conn.pipeline() if pipelined else contextlib.nullcontext(), conn.transaction(), conn.cursor() as cur:
        first.execute(
            "INSERT INTO cases (id, status, source_system, source_reference, duplicate_key, submitted_by,"
            " reported_at, received_at, policing_area, consent_support_referral, consent_recorded_at)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) RETURNING number",
            (
                case_id,
                "triaged",
                source["system"],
                source["reference"],
                key,
                uuid.UUID(int=0),
                body["reported_at"],
                now,
                victim["policing_area"],
                body["consent"]["support_referral"],
                body["consent"]["recorded_at"],
            ),
        )
        cur.execute(
            "INSERT INTO victims (id, case_id, given_name, family_name, date_of_birth, gender, postcode,"
            " policing_area, relationship, contact, language, needs_interpreter, vulnerabilities,"
            " persistently_targeted, intimidated, in_hospital, children_in_household)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (
                uuid.uuid4(),
                case_id,
                victim["given_name"],
                victim["family_name"],
                victim["date_of_birth"],
                victim["gender"],
                victim["postcode"],
                victim["policing_area"],
                victim["relationship"],
                Jsonb(victim["contact"]),
                victim["language"],
                victim["needs_interpreter"],
                Jsonb(victim["vulnerabilities"]),
                victim["persistently_targeted"],
                victim["intimidated"],
                victim["in_hospital"],
                victim["children_in_household"],
            ),
        )
        cur.execute(
            "INSERT INTO offences (id, case_id, home_office_code, description, occurred_at, flags, hate_strands,"
            " rtc_outcome) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
            (
                uuid.uuid4(),
                case_id,
                offence["home_office_code"],
                offence["description"],
                offence["occurred_at"],
                Jsonb(offence["flags"]),
                Jsonb(offence["hate_strands"]),
                offence["rtc_outcome"],
            ),
        )
        cur.execute(
            "INSERT INTO triage_decisions (id, case_id, decided_at, crime_types, risk_level, marac,"
            " enhanced_rights, enhanced_reasons, consent_model, age_at_offence, rules_version, explanation,"
            " risk_input) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (
                uuid.uuid4(),
                case_id,
                now,
                Jsonb(["domestic_abuse"]),
                "high",
                True,
                True,
                Jsonb(["most_serious_crime"]),
                "explicit",
                33,
                "lean",
                Jsonb([]),
                Jsonb(body.get("risk") or {}),
            ),
        )
        points = [
            (
                uuid.uuid4(),
                case_id,
                code,
                right,
                "police" if right else "val",
                trigger,
                now,
                now.date(),
                now.date(),
                "pending",
                True,
                victim["policing_area"],
                "18_plus",
                "domestic_abuse",
                now,
            )
            for code, right, trigger in (
                ("R3_WRITTEN_CONFIRMATION", 3, "crime_reported"),
                ("R4_REFERRAL_TO_SUPPORT", 4, "crime_reported"),
                ("LS_FIRST_CONTACT", None, "referral_received"),
            )
        ]
        cur.execute(
            'INSERT INTO compliance_points (id, case_id, code, "right", agency, trigger_event, triggered_at,'
            " trigger_date, due_on, status, enhanced, policing_area, age_band, crime_type, updated_at) VALUES "
            + ", ".join(["(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"] * len(points)),
            [value for point in points for value in point],
        )
        for service, provider in (("idva", "wmwa-idva"), ("marac", "marac-coordinator")):
            cur.execute(
                "INSERT INTO assignments (id, case_id, service, provider_id, status, rule, because, offered_at,"
                " respond_by, updated_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (
                    uuid.uuid4(),
                    case_id,
                    service,
                    provider,
                    "offered",
                    "da_high_risk_adult",
                    "lean",
                    now,
                    now,
                    now,
                ),
            )
        cur.execute(
            "INSERT INTO audit_events (id, at, credential_id, role, action, entity_type, entity_id, request_id)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
            (uuid.uuid4(), now, uuid.UUID(int=0), "intake", "referral.accepted", "case", str(case_id), None),
        )
    number = first.fetchone()[0]
    first.close()
    payload = json.dumps({"id": str(case_id), "reference": f"VAL-{now.year}-{number:06d}"}).encode()
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]
