"""Which Notify template each message uses, what VAL sends on its own, and what a message may say
(config/messages.toml). The personalisation is built here and only here, from a fixed list of safe fields."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from val.messages.safe_windows import Hours
from val.messages.safety import Channel

TEMPLATES = ("information_pack", "feedback_request")
TRIGGERS = ("first_contact", "closure")
# What each template may be told, beyond the given name, the reference and the line's number.
EXTRA_FIELDS = {"information_pack": ("coordinator_name",), "feedback_request": ("feedback_link",)}
NOTIFY_ADDRESS_LINES = 7  # Notify's address_line_1 … address_line_7; the last one given is the postcode


class MessageConfigError(ValueError):
    pass


@dataclass(frozen=True)
class MessageConfig:
    hours: Hours
    automatic: dict[str, str]  # trigger → template
    line_phone: str
    template_ids: dict[str, dict[Channel, str]]  # template → channel → Notify template id

    def template_id(self, template: str, channel: Channel) -> str | None:
        return self.template_ids.get(template, {}).get(channel)

    def channels_of(self, template: str) -> tuple[Channel, ...]:
        return tuple(self.template_ids.get(template, {}))


def load_message_config(path: Path) -> MessageConfig:
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        hours = Hours.parse(str(raw.get("hours", "08:00-21:00")))
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise MessageConfigError(f"{path.name}: {exc}") from exc
    automatic = {str(k): str(v) for k, v in raw.get("automatic", {}).items()}
    for trigger, template in automatic.items():
        if trigger not in TRIGGERS or template not in TEMPLATES:
            raise MessageConfigError(
                f"{path.name}: [automatic] {trigger} = {template!r} is not one VAL knows"
            )
    ids: dict[str, dict[Channel, str]] = {}
    for template, channels in raw.get("templates", {}).items():
        if template not in TEMPLATES:
            raise MessageConfigError(
                f"{path.name}: unknown template {template!r} (known: {', '.join(TEMPLATES)})"
            )
        try:
            ids[template] = {Channel(channel): str(template_id) for channel, template_id in channels.items()}
        except ValueError as exc:
            raise MessageConfigError(f"{path.name}: templates.{template}: {exc}") from exc
    return MessageConfig(hours, automatic, str(raw.get("line", {}).get("phone", "")), ids)


def personalisation(
    config: MessageConfig,
    template: str,
    channel: Channel,
    *,
    given_name: str | None,
    reference: str,
    coordinator_first_name: str | None,
    feedback_link: str | None = None,
    address_lines: tuple[str, ...] = (),
    postcode: str | None = None,
) -> dict[str, str]:
    """What the template is told: the safe fields, and for a letter the address Notify prints."""
    fields = {"given_name": given_name or "there", "reference": reference, "line_phone": config.line_phone}
    extra = {"coordinator_name": coordinator_first_name or "the team", "feedback_link": feedback_link or ""}
    fields.update({name: extra[name] for name in EXTRA_FIELDS[template]})
    if channel is Channel.LETTER:
        lines = [*address_lines[: NOTIFY_ADDRESS_LINES - 1], *([postcode] if postcode else [])]
        fields.update({f"address_line_{n}": line for n, line in enumerate(lines, start=1)})
    return fields


def first_name(name: str | None) -> str | None:
    """A person's first name from how VAL knows them ("Alice Smith", "alice.smith"); None for a service key."""
    if not name or name.startswith(("val_", "cli:", "sample-", "demo-")):
        return None
    first = name.replace(".", " ").replace("_", " ").split()[0]
    return first[:1].upper() + first[1:] if first.isalpha() else None
