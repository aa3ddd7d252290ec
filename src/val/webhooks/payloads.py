"""Every webhook VAL sends, as the OpenAPI document's `webhooks` describe it (docs/providers.md): the envelope
(`type`, `timestamp`, `data`) and each event's `data`, with the same lists the provider API uses. Payloads are
thin: no personal data ever leaves in a webhook; the provider fetches what its service may see."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from val.http.output import OutputSchema, enum_string
from val.providers.directory import SERVICES
from val.triage.domain import RiskLevel
from val.webhooks.domain import WebhookEvent


class _AboutAnAssignment(OutputSchema):
    assignment_id = fields.UUID(metadata={"description": "GET /api/v1/provider/referrals/{assignment_id}"})
    sequence = fields.Integer(
        metadata={"description": "This assignment's events counted from 1 (the offer): ignore a lower one"}
    )
    case_reference = fields.String(metadata={"description": "VAL's reference, VAL-YYYY-NNNNNN"})


class OfferData(_AboutAnAssignment):
    """`referral.offered`, and `referral.reminder` before the offer expires."""

    service = enum_string(SERVICES)
    risk_level = enum_string(RiskLevel, allow_none=True)
    respond_by = fields.DateTime(allow_none=True, metadata={"description": "Answer by then, or it expires"})


class UpdatedData(_AboutAnAssignment):
    changed = fields.List(
        fields.String(),
        metadata={"description": "What changed (never the new values): fetch the referral again"},
    )


class WithdrawnData(_AboutAnAssignment):
    service = enum_string(SERVICES)
    reason = fields.String(metadata={"description": "consent withdrawn, rerouted, the case closed…"})


class PingData(OutputSchema):
    provider_id = fields.String()
    message = fields.String()


DATA: dict[WebhookEvent, type[Schema]] = {
    WebhookEvent.OFFERED: OfferData,
    WebhookEvent.REMINDER: OfferData,
    WebhookEvent.UPDATED: UpdatedData,
    WebhookEvent.WITHDRAWN: WithdrawnData,
    WebhookEvent.PING: PingData,
}


def _component(event: WebhookEvent) -> str:
    return "".join(part.title() for part in event.value.replace(".", "_").split("_")) + "Webhook"


def webhook_envelopes() -> dict[str, type[Schema]]:
    """Component name → the whole payload of each event."""
    envelopes: dict[str, type[Schema]] = {}
    for event, data in DATA.items():
        envelopes[_component(event)] = OutputSchema.from_dict(
            {
                "type": enum_string([event.value]),
                "timestamp": fields.String(
                    metadata={"description": "When VAL recorded the event (UTC, ISO 8601)"}
                ),
                "data": fields.Nested(data),
            },
            name=_component(event),
        )
    return envelopes


def webhooks_section() -> dict[str, Any]:
    """The document's `webhooks`: each event a POST VAL makes to the provider's endpoint, signed (Standard
    Webhooks: webhook-id, webhook-timestamp, webhook-signature), answered with any 2xx."""
    section: dict[str, Any] = {}
    for event in DATA:
        section[event.value] = {
            "post": {
                "summary": f"VAL sends {event.value}",
                "description": "Verify the signature, answer any 2xx; retried with backoff otherwise "
                "(docs/providers.md).",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{_component(event)}"}}
                    },
                },
                "responses": {"2XX": {"description": "Received"}},
            }
        }
    return section
