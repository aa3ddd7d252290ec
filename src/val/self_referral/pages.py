"""`/self-referral`: the page a victim refers themselves through. It works without JavaScript, keeps nothing
until it is sent, puts nothing personal in a URL, and takes what is entered into the same intake contract as a
police referral (its own source system, consent given by the victim), triaged and routed as any.

Abuse is resisted without a captcha from elsewhere: each address may send `self_referrals_per_minute`, a field
people never see stays empty (bots fill it), and a body over `self_referral_max_bytes` is refused unread."""

from __future__ import annotations

import secrets

import marshmallow as ma
from flask import Blueprint, Response, current_app, request

from val.auth.roles import Role
from val.auth.service import system_principal
from val.auth.throttle import FailedAuthThrottle
from val.db.base import utcnow
from val.http.context import drop_request_work, request_session, services
from val.http.public_pages import victim_page
from val.referrals.schemas import ReferralSchema
from val.referrals.service import accept_referral
from val.self_referral.form import (
    DESCRIPTION_LIMIT,
    HATE_STRANDS,
    MESSAGES,
    ROAD_OUTCOMES,
    SOURCE_SYSTEM,
    SUSPECT_KNOWS,
    WHAT_HAPPENED,
    YES_NO,
    read_form,
)

blp = Blueprint("self_referral", __name__)


def _area_label(area: str) -> str:
    return area.replace("_", " ").title()


def _form_page(
    form: dict[str, str], strands: list[str], errors: list[tuple[str, str]], status: int = 200
) -> Response:
    return victim_page(
        "self_referral_form.html",
        status,
        form=form,
        form_id=form.get("form_id") or secrets.token_urlsafe(16),
        errors=errors,
        error_for=dict(errors),
        first_error=errors[0][0] if errors else None,
        what_happened=WHAT_HAPPENED,
        hate_strands=HATE_STRANDS,
        chosen_strands=strands,
        road_outcomes=ROAD_OUTCOMES,
        yes_no=YES_NO,
        suspect_knows=SUSPECT_KNOWS,
        messages=MESSAGES,
        areas=[(a, _area_label(a)) for a in services().settings.policing_areas],
        description_limit=DESCRIPTION_LIMIT,
    )


def _done(reference: str | None) -> Response:
    return victim_page(
        "self_referral_done.html", reference=reference, line_phone=services().rulebook.messages.line_phone
    )


def _stopped(status: int, heading: str, said: str) -> Response:
    return victim_page(
        "feedback_done.html",
        status,
        heading=heading,
        said=[said],
        thanks=False,
        line_phone=services().rulebook.messages.line_phone,
    )


@blp.get("/self-referral")
def self_referral_form() -> Response:
    return _form_page({}, [], [])


@blp.post("/self-referral")
def self_referral() -> Response:
    settings = services().settings
    if (request.content_length or 0) > settings.self_referral_max_bytes:
        return _stopped(
            413,
            "That was too much to send",
            "Please shorten what you wrote about what happened and try again.",
        )
    throttle: FailedAuthThrottle = current_app.extensions["val_self_referral_throttle"]
    client = f"self-referral:{request.remote_addr or 'unknown'}"
    if throttle.wait_seconds(client, request_session()) is not None:
        return _stopped(
            429,
            "Please wait a minute",
            "Too many requests came from this connection. Wait a minute, then try again.",
        )
    drop_request_work()  # counted in a transaction of its own, before this request writes anything
    throttle.failed(client)
    form = {key: value for key, value in request.form.items() if isinstance(value, str)}
    strands = request.form.getlist("hate_strands")
    if form.get("website"):  # the field people never see: a bot filled it in; it is told nothing
        return _done(None)
    now = utcnow()
    body, errors = read_form(form, strands, settings.policing_areas, now)
    if body is None:
        return _form_page(form, strands, errors, 400)
    try:
        referral = ReferralSchema().load(body)
    except ma.ValidationError:
        return _form_page(form, strands, [("given_name", "Check your answers and try again")], 400)
    session = request_session()
    principal = system_principal(session, SOURCE_SYSTEM, Role.INTAKE)
    written = accept_referral(
        session, principal, referral, services().rulebook, repeat_keyer=services().match_keyer
    )
    return _done(written.case.reference)
