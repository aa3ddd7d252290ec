"""GOV.UK Notify's delivery receipts (`POST /api/v1/notify/receipts`), authenticated by the bearer token set in
Notify's callback settings."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields

from val.auth.guard import require_shared_token
from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.http.output import OutputSchema
from val.messages.service import record_receipt
from val.messages.states import MessageStatus

blp = Blueprint("notify", __name__, url_prefix="/api/v1", description="GOV.UK Notify's delivery receipts")


class ReceiptSchema(ma.Schema):
    """Notify's callback body. Fields VAL does not use are accepted (Notify adds fields over time, and a receipt
    refused for one would be lost); `to` is read by no one and kept nowhere."""

    class Meta:
        unknown = ma.EXCLUDE

    id = fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    reference = fields.String(allow_none=True, load_default=None, validate=ma.validate.Length(max=100))
    status = fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    created_at = fields.AwareDateTime(allow_none=True, load_default=None)
    completed_at = fields.AwareDateTime(allow_none=True, load_default=None)
    sent_at = fields.AwareDateTime(allow_none=True, load_default=None)
    notification_type = fields.String(allow_none=True, load_default=None)


class ReceiptAnswerSchema(OutputSchema):
    message_id = fields.UUID()
    status = fields.String(metadata={"enum": [s.value for s in MessageStatus]})


@blp.route("/notify/receipts")
class Receipts(MethodView):
    @require_shared_token(lambda: services().settings.notify_receipts_token, "GOV.UK Notify")
    @blp.arguments(
        ReceiptSchema(),
        example={
            "id": "740e5834-3a29-46b4-9a6f-16142fde533a",
            "reference": "6d3b0f4e-1c1a-4a3e-9f59-2b9f1d0c7e11",
            "to": "07700900123",
            "status": "delivered",
            "created_at": "2026-12-06T12:00:00.000000Z",
            "completed_at": "2026-12-06T12:00:05.000000Z",
            "sent_at": "2026-12-06T12:00:01.000000Z",
            "notification_type": "sms",
        },
    )
    @blp.response(200, ReceiptAnswerSchema)
    @blp.doc(security=[{"notify_receipts": []}])
    def post(self, receipt: dict[str, Any]) -> ViewAnswer:
        """A delivery receipt: `delivered`, `permanent-failure`, `temporary-failure` or `technical-failure`,
        recorded on the message and the case's timeline once (a repeat changes nothing). 404 for an id VAL
        never sent."""
        message = record_receipt(request_session(), receipt)
        return {"message_id": message.id, "status": message.status}
