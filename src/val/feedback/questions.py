"""The feedback page's questions and how its answers are read. Pure: the page and the tests share them."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

COMMENTS_LIMIT = 1200

SATISFACTION = (
    ("5", "Very satisfied"),
    ("4", "Satisfied"),
    ("3", "Neither satisfied nor dissatisfied"),
    ("2", "Dissatisfied"),
    ("1", "Very dissatisfied"),
)
TOLD_ONCE = (("yes", "Yes"), ("no", "No, I had to repeat it"), ("not_sure", "I'm not sure"))
LISTENED_TO = (("yes", "Yes"), ("partly", "Partly"), ("no", "No"))

# (field, question, hint, choices, what to say when it is missing) — the page shows them in this order.
QUESTIONS = (
    (
        "satisfaction",
        "Overall, how satisfied are you with the support you got?",
        None,
        SATISFACTION,
        "Select how satisfied you are with the support you got",
    ),
    (
        "told_once",
        "Did you only have to tell your story once?",
        "We try to make sure you do not have to repeat what happened to each service.",
        TOLD_ONCE,
        "Select whether you only had to tell your story once",
    ),
    ("listened_to", "Did you feel listened to?", None, LISTENED_TO, "Select whether you felt listened to"),
)


@dataclass(frozen=True)
class Answers:
    satisfaction: int
    told_once: str
    listened_to: str
    comments: str | None


def read_answers(form: Mapping[str, str]) -> tuple[Answers | None, list[tuple[str, str]]]:
    """The answers, or the errors to show (field, message) in the order of the page."""
    errors: list[tuple[str, str]] = []
    chosen: dict[str, str] = {}
    for name, _question, _hint, choices, missing in QUESTIONS:
        value = (form.get(name) or "").strip()
        if value not in {key for key, _ in choices}:
            errors.append((name, missing))
        chosen[name] = value
    comments = (form.get("comments") or "").strip()
    if len(comments) > COMMENTS_LIMIT:
        errors.append(("comments", f"Your comments must be {COMMENTS_LIMIT} characters or fewer"))
    if errors:
        return None, errors
    return Answers(
        int(chosen["satisfaction"]), chosen["told_once"], chosen["listened_to"], comments or None
    ), []


def new_token() -> tuple[str, str]:
    """A link's token and the hash VAL keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
