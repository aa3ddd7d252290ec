"""What an alert can be about. Pure."""

from __future__ import annotations

from enum import StrEnum


class AlertKind(StrEnum):
    ROUTE_UNASSIGNED = "route_unassigned"  # no eligible provider: a coordinator must arrange the service
    UNSAFE_CONTACT = "unsafe_contact"  # the victim could not talk safely
    CONTACT_DETAILS_WRONG = "contact_details_wrong"
    UNABLE_TO_CONTACT = "unable_to_contact"  # attempts in a row have not reached the victim
    WEBHOOK_FAILED = "webhook_failed"  # not delivered once the retry schedule ran out
    WEBHOOK_ENDPOINT_GONE = "webhook_endpoint_gone"  # the provider answered 410
    WEBHOOK_ENDPOINT_DISABLED = (
        "webhook_endpoint_disabled"  # failing for days: disabled until registered again
    )
    WEBHOOK_ENDPOINT_RECOVERED = "webhook_endpoint_recovered"  # a disabled endpoint works again
    WEBHOOK_AWAITING_ENDPOINT = "webhook_awaiting_endpoint"  # offers wait for a provider with no endpoint
    WEBHOOK_SECRET_UNOPENABLE = "webhook_secret_unopenable"  # a signing secret cannot be opened with the key
    SERVICE_RESTARTING = "service_restarting"  # a process of `val run` keeps stopping and is being restarted
    MESSAGE_FAILED = "message_failed"  # Notify refused a message to a victim, or never took it
    MESSAGE_UNDELIVERABLE = "message_undeliverable"  # Notify: the victim's number or address does not exist
