"""The data lifecycle in the database (docs/data-lifecycle.md): what retention erases, and everything held about a
case for subject access. The one module of the feature that speaks SQL (docs/architecture.md, "One way to the
database"); what is erased and what is never exported are decided by the callers and passed in."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import delete, inspect, select, update
from sqlalchemy.orm import Session

from val.audit.models import AuditEvent
from val.auth.store import PRINCIPALS
from val.cases.models import Case, Offence, TriageDecision, Victim
from val.casework.models import CaseNote, ContactAttempt
from val.compliance.models import CaseEvent, CompliancePoint
from val.feedback.models import FeedbackAnswer, FeedbackLink
from val.messages.models import Message
from val.providers.models import Provider
from val.routing.models import Assignment

JSON = dict[str, Any]


def closed_before(session: Session, cutoff: dt.datetime) -> list[uuid.UUID]:
    """Closed cases not yet anonymised, closed before `cutoff`, locked (others' locked ones skipped)."""
    return list(
        session.scalars(
            select(Case.id)
            .where(Case.status == "closed", Case.closed_at < cutoff, Case.anonymised_at.is_(None))
            .order_by(Case.number)
            .with_for_update(skip_locked=True)
        )
    )


def anonymise(
    session: Session,
    case_id: uuid.UUID,
    now: dt.datetime,
    *,
    victim: Callable[[str | None], JSON],
    risk_input: Callable[[JSON], JSON],
    event_details: Callable[[JSON], JSON],
) -> None:
    """Erase who the victim of `case_id` is: `victim(postcode)` gives the victim's columns to keep or blank,
    `risk_input` and `event_details` what is kept of those JSON values. Free text (the offence description,
    notes, providers' decline reasons, the victim's feedback comments) and what leads back to the person (the source reference, the duplicate
    key) go; the case keeps its id, dates, triage, routes and points."""
    postcode = session.scalar(select(Victim.postcode).where(Victim.case_id == case_id))
    session.execute(update(Victim).where(Victim.case_id == case_id).values(**victim(postcode)))
    session.execute(update(Offence).where(Offence.case_id == case_id).values(description=None))
    kept_risk = session.scalar(select(TriageDecision.risk_input).where(TriageDecision.case_id == case_id))
    session.execute(
        update(TriageDecision)
        .where(TriageDecision.case_id == case_id)
        .values(risk_input=risk_input(kept_risk or {}))
    )
    session.execute(update(CaseNote).where(CaseNote.case_id == case_id).values(text=""))
    session.execute(update(Assignment).where(Assignment.case_id == case_id).values(decline_reason=None))
    # Notify's id and reason could be matched to Notify's own records of the recipient; the victim's words go.
    session.execute(update(Message).where(Message.case_id == case_id).values(notify_id=None, failure=None))
    session.execute(update(FeedbackAnswer).where(FeedbackAnswer.case_id == case_id).values(comments=None))
    session.execute(delete(FeedbackLink).where(FeedbackLink.case_id == case_id))
    for event_id, details in session.execute(
        select(CaseEvent.id, CaseEvent.details).where(CaseEvent.case_id == case_id)
    ):
        kept = event_details(details)
        if kept != details:
            session.execute(update(CaseEvent).where(CaseEvent.id == event_id).values(details=kept))
    session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(
            source_reference="",
            # Unique, so replaced by a value that says only that the case was anonymised.
            duplicate_key=f"anonymised-{case_id.hex}",
            anonymised_at=now,
            version=Case.version + 1,
        )
    )


def everything_held(session: Session, case_id: uuid.UUID, internal: Collection[str]) -> JSON:
    """Every record of the case, column by column (never the `internal` ones), with who read it and when."""
    case = session.scalars(select(Case).where(Case.id == case_id)).one()
    providers = {pid: name for pid, name in session.execute(select(Provider.id, Provider.name))}
    names = {cid: name for cid, name in session.execute(select(PRINCIPALS.c.id, PRINCIPALS.c.name))}

    def row(obj: Any, *, drop: tuple[str, ...] = ()) -> JSON:
        columns = inspect(obj).mapper.column_attrs
        return {c.key: getattr(obj, c.key) for c in columns if c.key not in internal and c.key not in drop}

    def of(model: Any, order: Any) -> list[Any]:
        return list(session.scalars(select(model).where(model.case_id == case_id).order_by(order)))

    def one(model: Any) -> JSON:
        return row(session.scalars(select(model).where(model.case_id == case_id)).one(), drop=("id",))

    routes = []
    assignments = of(Assignment, Assignment.offered_at)
    # Providers' reads are recorded against their assignment, coordinators' against the case.
    read_as = [str(case_id), *(str(a.id) for a in assignments)]
    for assignment in assignments:
        route = row(assignment, drop=("case_id",))
        route["provider"] = providers.get(assignment.provider_id) if assignment.provider_id else None
        routes.append(route)
    export = {
        "case": {**row(case), "reference": case.reference},
        "victim": one(Victim),
        "offence": one(Offence),
        "triage": one(TriageDecision),
        "routes": routes,
        "compliance_points": [row(p, drop=("case_id",)) for p in of(CompliancePoint, CompliancePoint.due_on)],
        "events": [row(e, drop=("case_id",)) for e in of(CaseEvent, CaseEvent.occurred_at)],
        "contact_attempts": [row(a, drop=("case_id",)) for a in of(ContactAttempt, ContactAttempt.at)],
        "notes": [row(n, drop=("case_id",)) for n in of(CaseNote, CaseNote.created_at)],
        "messages": [row(m, drop=("case_id", "lease_until")) for m in of(Message, Message.created_at)],
        "feedback": [row(f, drop=("case_id",)) for f in of(FeedbackAnswer, FeedbackAnswer.answered_at)],
        "access_log": [
            {
                "at": a.at,
                "who": names.get(a.credential_id, "VAL") if a.credential_id else "VAL",
                "role": a.role,
                "action": a.action,
            }
            for a in session.scalars(
                select(AuditEvent).where(AuditEvent.entity_id.in_(read_as)).order_by(AuditEvent.at)
            )
        ],
    }
    # Mapped objects were read only to walk their columns (every column, whatever a migration adds): none
    # leaves this function.
    return export
