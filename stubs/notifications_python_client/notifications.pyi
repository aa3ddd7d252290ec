from typing import Any

class NotificationsAPIClient:
    def __init__(self, api_key: str, base_url: str = ..., timeout: float = ...) -> None: ...
    def send_sms_notification(
        self,
        phone_number: str | None,
        template_id: str,
        personalisation: dict[str, str] | None = ...,
        reference: str | None = ...,
        sms_sender_id: str | None = ...,
    ) -> dict[str, Any]: ...
    def send_email_notification(
        self,
        email_address: str | None,
        template_id: str,
        personalisation: dict[str, str] | None = ...,
        reference: str | None = ...,
        email_reply_to_id: str | None = ...,
    ) -> dict[str, Any]: ...
    def send_letter_notification(
        self, template_id: str, personalisation: dict[str, str], reference: str | None = ...
    ) -> dict[str, Any]: ...
