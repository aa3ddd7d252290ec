"""A victim's right of access (UK GDPR Art. 15): everything VAL holds about them, across the cases a coordinator
has confirmed are theirs, in one self-contained file — the data as JSON and as a page a person can read."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TYPE_CHECKING, Any

from val import pages
from val.audit.service import record as audit
from val.auth.roles import Principal
from val.casework.same_person import same_person_case_ids
from val.errors import NotFoundError
from val.lifecycle import store
from val.triage.domain import REPEAT_VICTIM_RULE

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# Columns that only make sense inside VAL (hashes and search keys): not the person's data, never exported.
_INTERNAL = {
    "duplicate_key",
    "match_key",
    "family_name_key",
    "phone_e164",
    "number",
    "version",
    "etag_secret",
}


def victims_case_ids(session: Session, case_id: uuid.UUID) -> list[uuid.UUID]:
    """The case asked for and the cases a coordinator has confirmed are about the same person. Never the
    repeat-victim match alone: it is a hint, and twins share a family name and a date of birth."""
    ids = same_person_case_ids(session, case_id)
    if not ids:
        raise NotFoundError("No case with this id.")
    return ids


# What triage and intake took from the repeat-victim match: facts about other cases, which the match only hints
# are the same person's (twins share a family name and a date of birth).
_FROM_THE_HINT = ("repeat_previous_cases", "repeat_last_received_on")


def _without_the_hint(record: dict[str, Any]) -> dict[str, Any]:
    """A case's export without what the repeat-victim match said about other cases: those confirmed to be the
    same person are exported whole beside it; one only matched must not show through it."""
    record["case"] = {k: v for k, v in record["case"].items() if k not in _FROM_THE_HINT}
    triage = record["triage"]
    triage["explanation"] = [
        line for line in triage.get("explanation") or [] if line.get("rule") != REPEAT_VICTIM_RULE
    ]
    return record


def subject_access(session: Session, principal: Principal, case_id: uuid.UUID) -> dict[str, Any]:
    """Everything held about the victim of `case_id` and of every case matched to them. Each case's export is
    itself audited (after its access log was read, so the export names the reads before it)."""
    ids = victims_case_ids(session, case_id)
    records = [_without_the_hint(store.everything_held(session, one, _INTERNAL)) for one in ids]
    for one in ids:
        audit(session, principal, "case.subject_access", "case", one, None)
    return {
        "produced_at": dt.datetime.now(dt.UTC),
        "requested_for_case": case_id,
        "cases": records,
        "about": "Everything the Victim Advice Line holds about you: each referral, how it was assessed and "
        "why, who it was sent to, your rights under the Victims' Code and whether they were met, our contact "
        "with you and our notes, the messages we sent you and your feedback, and who looked at your case and "
        "when.",
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def as_json(export: dict[str, Any]) -> str:
    return json.dumps(export, default=_plain, indent=2, ensure_ascii=False)


def as_html(export: dict[str, Any]) -> str:
    """A page a person can read, with no script and no network: every value escaped and in words (yes/no,
    not JSON), each record a two-column table of field and value, so it fits the page however many fields
    a record has."""
    data = json.loads(as_json(export))
    return pages.render(
        "subject_access.html",
        about=data["about"],
        produced_at=data["produced_at"],
        cases=data["cases"],
        label=_label,
        when=_when,
    )


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _when(text: str) -> str:
    """An ISO date or timestamp as a person writes it; anything else as it is."""
    if len(text) < 10 or text[4:5] != "-" or not text[:4].isdigit():
        return text
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.strftime("%d %B %Y, %H:%M UTC") if moment.tzinfo else moment.strftime("%d %B %Y")
