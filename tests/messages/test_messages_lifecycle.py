"""Messages and feedback in the data lifecycle: a subject access export holds them; retention keeps what the
figures need and erases what leads to the person (Notify's id and reason, the victim's own words, the link)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from tests.messages.test_feedback import _closed_with_feedback_link
from val.auth.roles import Role
from val.auth.service import system_principal
from val.db.session import unit_of_work
from val.feedback.models import FeedbackAnswer, FeedbackLink
from val.lifecycle.retention import apply_retention
from val.lifecycle.subject_access import as_html, subject_access
from val.messages.models import Message


def test_subject_access_holds_messages_and_feedback_and_retention_erases_the_words(
    day, send_due, notify, messaging_client, database
):
    case_id, path = _closed_with_feedback_link(day, send_due, notify, messaging_client)
    answers = {
        "satisfaction": "4",
        "told_once": "no",
        "listened_to": "yes",
        "comments": "Ring Sam at the refuge.",
    }
    assert messaging_client.post(path, data=answers).status_code == 200

    with unit_of_work(database) as session:
        export = subject_access(session, system_principal(session, "dpo", Role.ADMIN), uuid.UUID(case_id))
    [record] = export["cases"]
    assert {m["template"] for m in record["messages"]} == {"information_pack", "feedback_request"}
    assert all("lease_until" not in m for m in record["messages"])
    assert record["feedback"][0]["comments"] == "Ring Sam at the refuge."
    assert "Ring Sam at the refuge." in as_html(export)

    with unit_of_work(database) as session:
        run = apply_retention(
            session,
            system_principal(session, "retention", Role.ADMIN),
            6,
            now=dt.datetime.now(dt.UTC) + dt.timedelta(days=7 * 366),
        )
    assert run.anonymised >= 1
    with unit_of_work(database) as session:
        kept = session.execute(
            select(Message.status, Message.notify_id, Message.failure).where(
                Message.case_id == uuid.UUID(case_id)
            )
        ).all()
        assert kept and all(notify_id is None and failure is None for _, notify_id, failure in kept)
        answer = session.execute(
            select(FeedbackAnswer.satisfaction, FeedbackAnswer.comments).where(
                FeedbackAnswer.case_id == uuid.UUID(case_id)
            )
        ).one()
        assert tuple(answer) == (4, None), "the score stays for the Board's figures; the words go"
        links = session.scalar(
            select(func.count()).select_from(FeedbackLink).where(FeedbackLink.case_id == uuid.UUID(case_id))
        )
        assert links == 0
