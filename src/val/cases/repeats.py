"""What VAL already holds about the same victim (docs/data-lifecycle.md): earlier cases matched by the repeat-victim hash."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from val.cases.matching import MatchKeyer
from val.cases.models import Case, TriageDecision, Victim
from val.triage.rules import add_months

WINDOW_MONTHS = 12


@dataclass(frozen=True)
class RepeatHistory:
    previous_cases: int = 0
    last_received_on: dt.date | None = None
    last_marac_case_on: dt.date | None = None


def repeat_view(previous_cases: int, last_received_on: dt.date | None) -> dict[str, Any] | None:
    """The coordinator's `repeat` of a case, or None for a first referral."""
    if not previous_cases:
        return None
    return {"previous_cases_12_months": previous_cases, "last_received_on": last_received_on}


# Built once: building the query per intake cost more CPU than running it (its cache key is computed each time).
_HISTORY = (
    select(
        func.count(Case.id),
        func.max(Case.received_at),
        func.max(Case.received_at).filter(TriageDecision.marac.is_(True)),
    )
    .join(Victim, Victim.case_id == Case.id)
    .join(TriageDecision, TriageDecision.case_id == Case.id)
    .where(
        Victim.match_key == bindparam("match_key"),
        Case.received_at >= bindparam("since"),
        Case.received_at <= bindparam("now"),
    )
)


def repeat_history(session: Session, match_key: str | None, now: dt.datetime) -> RepeatHistory:
    """Cases of the same victim received in the 12 months before `now` (anonymised ones carry no hash)."""
    if match_key is None:
        return RepeatHistory()
    since = dt.datetime.combine(add_months(now.date(), -WINDOW_MONTHS), dt.time(), tzinfo=dt.UTC)
    count, last, last_marac = session.execute(
        _HISTORY, {"match_key": match_key, "since": since, "now": now}
    ).one()
    return RepeatHistory(count, _day(last), _day(last_marac))


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def backfill_match_keys(session: Session, keyer: MatchKeyer) -> int:
    """Victims recorded before matching existed get their hash (anonymised ones have nothing to hash)."""
    filled = 0
    rows = session.execute(
        select(Victim.id, Victim.family_name, Victim.date_of_birth, Victim.postcode).where(
            Victim.match_key.is_(None), Victim.date_of_birth.is_not(None), Victim.family_name.is_not(None)
        )
    ).all()
    for victim_id, family_name, born, postcode in rows:
        key = keyer.key_for(family_name, born, postcode) if born is not None else None
        if key is not None:
            session.execute(update(Victim).where(Victim.id == victim_id).values(match_key=key))
            filled += 1
    return filled
