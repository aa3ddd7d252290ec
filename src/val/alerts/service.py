"""Alerts: what needs a person — a route with no provider, a webhook that could not be delivered. Raised in
the unit of work of the change that caused them. What happens is decided here; `store` reads and writes."""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING, Any

from val.alerts import store
from val.alerts.kinds import AlertKind
from val.alerts.store import AlertRecord
from val.audit.service import record as audit
from val.auth.roles import Principal
from val.cases.store import references_of
from val.db.base import utcnow
from val.db.paging import Page
from val.errors import NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def raise_alert(
    session: Session,
    kind: AlertKind,
    detail: str,
    *,
    case_id: uuid.UUID | None = None,
    assignment_id: uuid.UUID | None = None,
    delivery_id: uuid.UUID | None = None,
    case_reference: str | None = None,
) -> None:
    store.add(
        session,
        id=uuid.uuid4(),
        kind=AlertKind(kind).value,
        case_id=case_id,
        case_reference=case_reference,
        assignment_id=assignment_id,
        delivery_id=delivery_id,
        detail=detail,
        created_at=utcnow(),
        resolved_at=None,
    )


def list_alerts(
    session: Session,
    principal: Principal,
    *,
    only_open: bool,
    limit: int,
    after: list[Any] | None,
    request_id: str | None,
) -> Page[AlertRecord]:
    """Newest first."""
    page = store.page(session, only_open=only_open, limit=limit, after=after)
    page = dataclasses.replace(page, items=_with_references(session, page.items))
    audit(session, principal, "alerts.listed", "alert", "list", request_id, result_count=len(page.items))
    return page


def _with_references(session: Session, alerts: list[AlertRecord]) -> list[AlertRecord]:
    """The VAL reference of each alert's case, what a coordinator quotes and searches by (shown, not saved)."""
    missing = list({a.case_id for a in alerts if a.case_id and not a.case_reference})
    references = references_of(session, missing)
    return [
        dataclasses.replace(alert, case_reference=references.get(alert.case_id))
        if alert.case_id and not alert.case_reference
        else alert
        for alert in alerts
    ]


def resolve_alert(
    session: Session, principal: Principal, alert_id: uuid.UUID, request_id: str | None
) -> AlertRecord:
    alert = store.locked(session, alert_id)
    if alert is None:
        raise NotFoundError("No alert with this id.")
    if alert.resolved_at is None:
        now = utcnow()
        store.mark_resolved(session, alert_id, now)
        alert = dataclasses.replace(alert, resolved_at=now)
    audit(session, principal, "alert.resolved", "alert", alert.id, request_id)
    return _with_references(session, [alert])[0]


def raise_alert_once(session: Session, kind: AlertKind, detail: str) -> bool:
    """Raise the alert unless the same one is still open, so a condition that persists is raised once;
    whether it was raised."""
    if store.is_open(session, AlertKind(kind).value, detail):
        return False
    raise_alert(session, kind, detail)
    return True


def alert_open(session: Session, kind: AlertKind, detail: str) -> bool:
    return store.is_open(session, AlertKind(kind).value, detail)


def resolve_matching(session: Session, kind: AlertKind, detail: str) -> None:
    """Resolve the open alerts a condition raised, once the condition has ended by itself."""
    store.resolve_open(session, AlertKind(kind).value, detail, utcnow())
