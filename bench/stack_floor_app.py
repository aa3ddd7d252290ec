"""The stack's floor for intake: the lean baseline's work (bench/lean_app.py: the same rows, one transaction)
done the way the fixed stack does it — a Flask view, the body validated by VAL's own ReferralSchema
(marshmallow), the rows written with SQLAlchemy Core on a pooled engine, the answer as JSON — and nothing
else: no credentials, no triage or routing rules, no audit of reads, no outbox. What intake could reach if
everything VAL adds on top of its stack cost nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid

from flask import Flask, jsonify, request
from sqlalchemy import MetaData, create_engine, insert

from val.referrals.domain import as_row
from val.referrals.schemas import ReferralSchema, configure_policing_areas
from val.settings import load_settings

_settings = load_settings()
configure_policing_areas(_settings.policing_areas)
_engine = create_engine(os.environ["VAL_DATABASE_URL"], pool_size=2)
_tables = MetaData()
_tables.reflect(
    _engine,
    only=[
        "cases",
        "victims",
        "offences",
        "triage_decisions",
        "compliance_points",
        "assignments",
        "audit_events",
    ],
)
_T = _tables.tables
_INSERT_CASE = insert(_T["cases"]).returning(_T["cases"].c.number)
_INSERTS = {name: insert(_T[name]) for name in _T}
_schema = ReferralSchema()
_NOBODY = uuid.UUID(int=0)

app = Flask("stack_floor")


@app.post("/api/v1/referrals")
def referrals():
    referral = _schema.load(request.get_json())
    now = dt.datetime.now(dt.UTC)
    case_id = uuid.uuid4()
    source, victim, offence = referral.source, referral.victim, referral.offence
    key = hashlib.sha256(f"{source.system}|{source.reference}|{victim.date_of_birth}".encode()).hexdigest()
    area = victim.policing_area
    victim_row, offence_row = as_row(victim), as_row(offence)
    with _engine.begin() as connection:
        number = connection.execute(
            _INSERT_CASE,
            {
                "id": case_id,
                "status": "triaged",
                "source_system": source.system,
                "source_reference": source.reference,
                "duplicate_key": key,
                "submitted_by": _NOBODY,
                "reported_at": referral.reported_at,
                "received_at": now,
                "policing_area": area,
                "consent_support_referral": referral.consent.support_referral,
                "consent_recorded_at": referral.consent.recorded_at,
            },
        ).scalar_one()
        connection.execute(
            _INSERTS["victims"],
            {
                "id": uuid.uuid4(),
                "case_id": case_id,
                **{
                    name: victim_row[name]
                    for name in (
                        "given_name",
                        "family_name",
                        "date_of_birth",
                        "gender",
                        "postcode",
                        "policing_area",
                        "relationship",
                        "contact",
                        "language",
                        "needs_interpreter",
                        "vulnerabilities",
                        "persistently_targeted",
                        "intimidated",
                        "in_hospital",
                        "children_in_household",
                    )
                },
            },
        )
        connection.execute(
            _INSERTS["offences"],
            {
                "id": uuid.uuid4(),
                "case_id": case_id,
                **{
                    name: offence_row[name]
                    for name in ("home_office_code", "description", "occurred_at", "flags", "hate_strands")
                },
                "rtc_outcome": offence.rtc_outcome,
            },
        )
        connection.execute(
            _INSERTS["triage_decisions"],
            {
                "id": uuid.uuid4(),
                "case_id": case_id,
                "decided_at": now,
                "crime_types": ["domestic_abuse"],
                "risk_level": "high",
                "marac": True,
                "enhanced_rights": True,
                "enhanced_reasons": ["most_serious_crime"],
                "consent_model": "explicit",
                "age_at_offence": 33,
                "rules_version": "floor",
                "explanation": [],
                "risk_input": {},
            },
        )
        connection.execute(
            _INSERTS["compliance_points"],
            [
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "code": code,
                    "right": right,
                    "agency": "police" if right else "val",
                    "trigger_event": trigger,
                    "triggered_at": now,
                    "trigger_date": now.date(),
                    "due_on": now.date(),
                    "status": "pending",
                    "enhanced": True,
                    "policing_area": area,
                    "age_band": "18_plus",
                    "crime_type": "domestic_abuse",
                    "updated_at": now,
                }
                for code, right, trigger in (
                    ("R3_WRITTEN_CONFIRMATION", 3, "crime_reported"),
                    ("R4_REFERRAL_TO_SUPPORT", 4, "crime_reported"),
                    ("LS_FIRST_CONTACT", None, "referral_received"),
                )
            ],
        )
        connection.execute(
            _INSERTS["assignments"],
            [
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "service": service,
                    "provider_id": provider,
                    "status": "offered",
                    "rule": "da_high_risk_adult",
                    "because": "floor",
                    "offered_at": now,
                    "respond_by": now,
                    "updated_at": now,
                }
                for service, provider in (("idva", "wmwa-idva"), ("marac", "marac-coordinator"))
            ],
        )
        connection.execute(
            _INSERTS["audit_events"],
            {
                "id": uuid.uuid4(),
                "at": now,
                "credential_id": _NOBODY,
                "role": "intake",
                "action": "referral.accepted",
                "entity_type": "case",
                "entity_id": str(case_id),
                "request_id": None,
            },
        )
    return jsonify({"id": str(case_id), "reference": f"VAL-{now.year}-{number:06d}"}), 201
