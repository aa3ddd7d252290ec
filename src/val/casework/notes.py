"""Case notes: immutable, for coordinators only — never in a provider's view, a webhook, a log line or a
Board figure. A correction is a new note naming the one it corrects."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases import store as cases
from val.casework.pages import page_of_case
from val.casework.store import records
from val.casework.store.records import NoteRecord
from val.db.base import utcnow
from val.db.paging import Page
from val.errors import InvalidInputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def add_note(
    session: Session,
    principal: Principal,
    case_id: uuid.UUID,
    text: str,
    corrects: uuid.UUID | None,
    request_id: str | None,
) -> NoteRecord:
    cases.case_of(session, case_id)  # 404 for an unknown case
    if corrects is not None and not records.has_note(session, case_id, corrects):
        raise InvalidInputError("No note of this case has this id.", field="corrects")
    note = NoteRecord(
        id=uuid.uuid4(),
        case_id=case_id,
        author_id=principal.credential_id,
        author=principal.name,
        created_at=utcnow(),
        text=text,
        corrects=corrects,
    )
    records.add_note(session, note)
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
) -> Page[NoteRecord]:
    """Newest first."""
    return page_of_case(
        session,
        principal,
        NoteRecord,
        case_id,
        descending=True,
        limit=limit,
        after=after,
        action="case.notes_read",
        request_id=request_id,
    )
