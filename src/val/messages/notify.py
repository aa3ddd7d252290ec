"""GOV.UK Notify, through its official client: one call per message, its answer sorted into accepted, refused
(do not try again) and unavailable (try again later)."""

from __future__ import annotations

import logging
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from val.messages.safety import Channel

# The client logs each failed request with Notify's message; VAL records the reason itself, without the log line.
logging.getLogger("notifications_python_client").setLevel(logging.ERROR)


class NotifyRefused(Exception):
    """Notify will not send it as asked (400: a bad number or template; 403: the key): it fails at once."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status, self.reason = status, reason


class NotifyUnavailable(Exception):
    """Notify cannot take it now (5xx, 429, no answer): the message is tried again later."""

    def __init__(self, status: int | None, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status, self.reason = status, reason


def _reason(error: APIError) -> str:
    said = error.message
    if isinstance(said, list):
        said = "; ".join(f"{e.get('error', '')}: {e.get('message', '')}" for e in said if isinstance(e, dict))
    return str(said)[:300]


class NotifyGateway:
    def __init__(self, api_key: str, base_url: str, timeout: float = 10.0) -> None:
        self._client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)

    def send(
        self,
        channel: Channel,
        template_id: str,
        to: str | None,
        personalisation: dict[str, str],
        reference: str,
    ) -> str:
        """Notify's id for the notification it accepted."""
        try:
            answer: dict[str, Any]
            if channel is Channel.SMS:
                answer = self._client.send_sms_notification(to, template_id, personalisation, reference)
            elif channel is Channel.EMAIL:
                answer = self._client.send_email_notification(to, template_id, personalisation, reference)
            else:
                answer = self._client.send_letter_notification(template_id, personalisation, reference)
        except APIError as error:
            status = error.status_code
            if status == 429 or status >= 500:
                raise NotifyUnavailable(status, _reason(error)) from None
            raise NotifyRefused(status, _reason(error)) from None
        return str(answer["id"])
