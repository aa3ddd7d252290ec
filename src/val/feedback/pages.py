"""The feedback page a victim opens from the link in their message (`/feedback/<token>`): a form that works
without JavaScript, in the GOV.UK Design System's patterns. A used, expired or unknown link shows a plain page
saying so, never an error trace."""

from __future__ import annotations

from flask import Blueprint, Response, request

from val.db.base import utcnow
from val.feedback.questions import COMMENTS_LIMIT, QUESTIONS, read_answers
from val.feedback.service import LinkState, answer, state_of
from val.http.context import request_session, services
from val.http.public_pages import victim_page

blp = Blueprint("feedback_pages", __name__)

CLOSED = {
    LinkState.USED: (410, "This link has already been used", ["Thank you: your feedback has been received."]),
    LinkState.EXPIRED: (
        410,
        "This link has expired",
        ["Feedback links work for 30 days. You can still tell us what you think by calling us."],
    ),
    LinkState.UNKNOWN: (
        404,
        "This link does not work",
        ["Check that you copied the whole link from your message, or call us."],
    ),
}


def _closed(state: LinkState) -> Response:
    status, heading, said = CLOSED[state]
    return victim_page(
        "feedback_done.html", status, heading=heading, said=said, thanks=False, line_phone=_line()
    )


def _line() -> str:
    return services().rulebook.messages.line_phone


def _form(form: dict[str, str], errors: list[tuple[str, str]], status: int = 200) -> Response:
    return victim_page(
        "feedback_form.html",
        status,
        questions=QUESTIONS,
        form=form,
        errors=errors,
        error_for=dict(errors),
        first_error=errors[0][0] if errors else None,
        comments_limit=COMMENTS_LIMIT,
    )


@blp.route("/feedback/<token>", methods=["GET", "POST"])
def feedback(token: str) -> Response:
    session, now = request_session(), utcnow()
    state, _link = state_of(session, token, now)
    if state is not LinkState.OPEN:
        return _closed(state)
    if request.method == "GET":
        return _form({}, [])
    form = {key: value for key, value in request.form.items() if isinstance(value, str)}
    answers, errors = read_answers(form)
    if answers is None:
        return _form(form, errors, 400)
    done = answer(session, token, answers, services().rulebook.catalogue, now)
    if done is not LinkState.USED:
        return _closed(done)
    return victim_page(
        "feedback_done.html",
        heading="Thank you for your feedback",
        said=["Your answers have been sent. We read every one."],
        thanks=True,
        line_phone=_line(),
    )
