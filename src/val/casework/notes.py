"""Case notes: immutable, for coordinators only — never in a provider's view, a webhook, a log line or a
Board figure. A correction is a new note naming the one it corrects."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.lookup import case_bundle
from val.casework.models import CaseNote
from val.casework.pages import page_of_case
from val.db.base import utcnow
from val.db.paging import Page
from val.errors import InvalidInputError


def add_note(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    text: str,
    corrects: uuid.UUID | None,
    request_id: str | None,
) -> CaseNote:
    case_bundle(session, case_id)  # 404 for an unknown case
    if (
        corrects is not None
        and session.scalar(select(CaseNote.id).where(CaseNote.id == corrects, CaseNote.case_id == case_id))
        is None
    ):
        raise InvalidInputError("No note of this case has this id.", field="corrects")
    note = CaseNote(
        id=uuid.uuid4(),
        case_id=case_id,
        author_id=principal.credential_id,
        author=principal.name,
        created_at=utcnow(),
        text=text,
        corrects=corrects,
    )
    session.add(note)
    audit(session, principal, "case.note_added", "case", case_id, request_id)
    return note


def list_notes(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    limit: int,
    after: list[Any] | None,
    request_id: str | None,
) -> Page[CaseNote]:
    """Newest first."""
    return page_of_case(
        session,
        principal,
        CaseNote,
        case_id,
        order=("created_at", "id"),
        descending=True,
        limit=limit,
        after=after,
        action="case.notes_read",
        request_id=request_id,
    )
