"""Coordinator casework over HTTP, continued: contact attempts, notes, closing and reopening, the timeline.
Parse → service → respond."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from flask.views import MethodView

from val.auth.guard import require_roles
from val.auth.roles import Role
from val.casework.api import blp, case_page
from val.casework.closure import close_case, reopen_case
from val.casework.contact import list_attempts, record_attempt
from val.casework.notes import add_note, list_notes
from val.casework.same_person import confirm_same_person, read_same_person, undo_same_person
from val.casework.same_person_schemas import SamePersonInSchema, SamePersonSchema, SamePersonUndoSchema
from val.casework.schemas import (
    AttemptInSchema,
    AttemptOutSchema,
    CloseSchema,
    CoordinatorCaseSchema,
    NoteInSchema,
    NoteOutSchema,
    ReopenSchema,
    TimelineSchema,
)
from val.casework.service import etag_of, read_case
from val.casework.timeline import timeline
from val.http.blueprint import ETAG_HEADER, ViewAnswer
from val.http.context import request_session, services
from val.http.pagination import PageQuerySchema, page_schema
from val.http.problems import Problem

_attempt_schema = AttemptOutSchema()
_note_schema = NoteOutSchema()
_case_schema = CoordinatorCaseSchema()


@blp.route("/cases/<uuid:case_id>/contact-attempts")
class ContactAttempts(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(PageQuerySchema(), location="query")
    @blp.response(200, page_schema(AttemptOutSchema, "ContactAttemptPage"))
    def get(self, query: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """Every attempt to reach the victim, newest first."""
        return case_page(list_attempts, case_id, query)

    @require_roles(Role.COORDINATOR)
    @blp.arguments(
        AttemptInSchema(), example={"at": "2026-11-20T18:30:00Z", "channel": "phone", "outcome": "reached"}
    )
    @blp.response(201, AttemptOutSchema)
    def post(self, body: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """Record an attempt: `reached` meets first contact; `unsafe_to_talk` makes calling unsafe and tells
        the providers; `wrong_number` and repeated misses alert; `declined_support` records consent declined."""
        return record_attempt(
            request_session(),
            g.principal,
            services().rulebook,
            case_id,
            body,
            unreached_alert_after=services().settings.unreached_attempts_alert,
            request_id=g.request_id,
        )


@blp.route("/cases/<uuid:case_id>/notes")
class Notes(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(PageQuerySchema(), location="query")
    @blp.response(200, page_schema(NoteOutSchema, "NotePage"))
    def get(self, query: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """The case's notes, newest first (coordinators only; never shown to providers)."""
        return case_page(list_notes, case_id, query)

    @require_roles(Role.COORDINATOR)
    @blp.arguments(NoteInSchema(), example={"text": "Agreed a safe time to call: weekdays after 18:00."})
    @blp.response(201, NoteOutSchema)
    def post(self, body: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """Add a note; notes never change (a correction is a new note with `corrects`)."""
        return add_note(request_session(), g.principal, case_id, body["text"], body["corrects"], g.request_id)


def _case_answer(case_id: uuid.UUID) -> ViewAnswer:
    case = read_case(request_session(), g.principal, case_id, g.request_id)
    if case is None:
        raise Problem(404, "Not Found", "No case with this id.")
    return case, 200, {"ETag": etag_of(case)}


@blp.route("/cases/<uuid:case_id>/close")
class CloseCase(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(
        CloseSchema(),
        example={"outcome": "supported", "at": "2026-11-25T16:00:00Z", "reason": "Support plan completed"},
    )
    @blp.response(200, CoordinatorCaseSchema, headers=ETAG_HEADER)
    def post(self, body: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """Close with an outcome; 409 while providers hold the case, unless `withdraw_open`."""
        close_case(
            request_session(),
            g.principal,
            case_id,
            request_id=g.request_id,
            messages=services().rulebook.messages,
            **body,
        )
        return _case_answer(case_id)


@blp.route("/cases/<uuid:case_id>/reopen")
class ReopenCase(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(ReopenSchema(), example={"reason": "The victim asked for support again"})
    @blp.response(200, CoordinatorCaseSchema, headers=ETAG_HEADER)
    def post(self, body: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """Back to the status its consent and assignments imply; with `offer_again` (the default) the
        services routing wants are offered again, as far as consent allows."""
        reopen_case(
            request_session(),
            g.principal,
            services().rulebook.routing,
            case_id,
            body["reason"],
            g.request_id,
            offer_again=body["offer_again"],
        )
        return _case_answer(case_id)


@blp.route("/cases/<uuid:case_id>/timeline")
class Timeline(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.response(200, TimelineSchema)
    def get(self, case_id: uuid.UUID) -> ViewAnswer:
        """Everything that happened in the case, oldest first (a note's text is never in it)."""
        return {"items": timeline(request_session(), g.principal, case_id, g.request_id)}


@blp.route("/cases/<uuid:case_id>/same-person")
class SamePerson(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.response(200, SamePersonSchema)
    def get(self, case_id: uuid.UUID) -> ViewAnswer:
        """The cases confirmed to be about this victim, this one included. The repeat-victim match only
        hints at them; a subject access export contains exactly these."""
        return read_same_person(request_session(), g.principal, case_id, g.request_id)

    @require_roles(Role.COORDINATOR)
    @blp.arguments(SamePersonInSchema(), example={"case_id": "5f0c6a52-0d5e-4a1b-9d1e-2b7d3c4e5f60"})
    @blp.response(201, SamePersonSchema)
    def post(self, body: dict[str, Any], case_id: uuid.UUID) -> ViewAnswer:
        """Confirm that another case is about the same victim (having checked, not because the repeat
        match says so: twins share a family name and a date of birth)."""
        return confirm_same_person(
            request_session(), g.principal, case_id, body["case_id"], body["reason"], g.request_id
        )


@blp.route("/cases/<uuid:case_id>/same-person/<uuid:other_case_id>/undo")
class SamePersonUndo(MethodView):
    @require_roles(Role.COORDINATOR)
    @blp.arguments(SamePersonUndoSchema(), example={"reason": "Checked with the police: a different person"})
    @blp.response(200, SamePersonSchema)
    def post(self, body: dict[str, Any], case_id: uuid.UUID, other_case_id: uuid.UUID) -> ViewAnswer:
        """Undo a same-person link (audited on both cases; kept, undone, with who, when and why)."""
        return undo_same_person(
            request_session(), g.principal, case_id, other_case_id, body["reason"], g.request_id
        )
