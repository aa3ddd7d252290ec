"""Admin operations on the provider directory: endpoints, signing secrets, enabling and disabling."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.models import Case, Offence, TriageDecision, Victim
from val.db.base import utcnow
from val.errors import InvalidInputError, NotFoundError
from val.providers import views
from val.providers.models import Provider
from val.routing.models import Assignment
from val.webhooks.signing import new_secret


def _provider(session: Session, provider_id: str) -> Provider:
    provider = session.get(Provider, provider_id, with_for_update=True)
    if provider is None:
        raise NotFoundError(f"No provider {provider_id!r} in the directory.")
    return provider


def set_endpoint(session: Session, provider_id: str, url: str, *, allow_http: bool) -> str:
    """Register the provider's webhook URL with a fresh signing secret, returned once."""
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise InvalidInputError("The endpoint must be an absolute https:// URL.", field="url")
    if parsed.scheme == "http" and not allow_http:
        raise InvalidInputError("Plain http:// endpoints are only allowed in the embedded mode.", field="url")
    provider = _provider(session, provider_id)
    secret = new_secret()
    provider.webhook_url = url
    provider.signing_secret = secret
    provider.previous_signing_secret = None
    provider.previous_secret_expires_at = None
    provider.endpoint_disabled_at = None
    session.commit()
    return secret


def rotate_secret(session: Session, provider_id: str, overlap: dt.timedelta) -> str:
    """A new secret signs from now on; the old one signs alongside it until the overlap ends, so the provider
    can switch without missing a webhook."""
    provider = _provider(session, provider_id)
    if not provider.signing_secret:
        raise InvalidInputError("The provider has no endpoint yet: use set-endpoint.", field="provider")
    secret = new_secret()
    provider.previous_signing_secret = provider.signing_secret
    provider.previous_secret_expires_at = utcnow() + overlap
    provider.signing_secret = secret
    session.commit()
    return secret


def set_enabled(session: Session, provider_id: str, enabled: bool) -> None:
    """Disabled providers are offered nothing new; what they already hold stays theirs."""
    provider = _provider(session, provider_id)
    provider.admin_disabled = not enabled
    session.commit()


def list_referrals(
    session: Session,
    principal: Principal,
    request_id: str | None,
    *,
    status: str | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    query = (
        select(Assignment, Case)
        .join(Case, Case.id == Assignment.case_id)
        .where(Assignment.provider_id == principal.provider_id)
        .order_by(Assignment.offered_at.desc(), Assignment.id)
        .limit(limit)
        .offset(offset)
    )
    if status:
        query = query.where(Assignment.status == status)
    rows = [views.summary(assignment, case) for assignment, case in session.execute(query)]
    audit(session, principal, "provider.referrals_listed", "provider", principal.provider_id, request_id)
    session.commit()
    return rows


def read_referral(
    session: Session, principal: Principal, assignment_id: uuid.UUID, request_id: str | None
) -> dict[str, Any]:
    """Only this provider's own assignment; any other id is 404, so ids of others' referrals reveal nothing."""
    row = session.execute(
        select(Assignment, Case, Victim, Offence, TriageDecision)
        .join(Case, Case.id == Assignment.case_id)
        .join(Victim, Victim.case_id == Case.id)
        .join(Offence, Offence.case_id == Case.id)
        .join(TriageDecision, TriageDecision.case_id == Case.id)
        .where(Assignment.id == assignment_id, Assignment.provider_id == principal.provider_id)
    ).first()
    if row is None:
        raise NotFoundError("No referral with this id for this provider.")
    audit(session, principal, "provider.referral_read", "assignment", assignment_id, request_id)
    session.commit()
    return views.referral_for_provider(*row)
