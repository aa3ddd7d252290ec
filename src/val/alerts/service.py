"""Alerts: what needs a person — a route with no provider, a webhook that could not be delivered. Raised in
the unit of work of the change that caused them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from val.alerts.kinds import AlertKind
from val.alerts.models import Alert
from val.audit.service import record as audit
from val.auth.roles import Principal
from val.db.base import table_of, utcnow
from val.db.deferred import insert_row
from val.db.paging import Page, keyset, page_of
from val.errors import NotFoundError
from val.records.lookup import references_of

_INSERT = insert(table_of(Alert))


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
    insert_row(
        session,
        _INSERT,
        {
            "id": uuid.uuid4(),
            "kind": AlertKind(kind).value,
            "case_id": case_id,
            "case_reference": case_reference,
            "assignment_id": assignment_id,
            "delivery_id": delivery_id,
            "detail": detail,
            "created_at": utcnow(),
            "resolved_at": None,
        },
    )


def list_alerts(
    session: Session,
    principal: Principal,
    *,
    only_open: bool,
    limit: int,
    after: list[Any] | None,
    request_id: str | None,
) -> Page[Alert]:
    """Newest first."""
    query = select(Alert)
    if only_open:
        query = query.where(Alert.resolved_at.is_(None))
    query = keyset(query, [Alert.created_at, Alert.id], descending=True, after=after).limit(limit + 1)
    page = page_of(list(session.scalars(query)), limit, lambda a: [a.created_at, a.id])
    _fill_references(session, page.items)
    audit(session, principal, "alerts.listed", "alert", "list", request_id, result_count=len(page.items))
    return page


def _fill_references(session: Session, alerts: list[Alert]) -> None:
    """The VAL reference of each alert's case, what a coordinator quotes and searches by (shown, not saved)."""
    missing = list({a.case_id for a in alerts if a.case_id and not a.case_reference})
    references = references_of(session, missing)
    for alert in alerts:
        if alert.case_id and not alert.case_reference:
            # As if loaded so: shown, not written back by a read.
            set_committed_value(alert, "case_reference", references.get(alert.case_id))


def resolve_alert(
    session: Session, principal: Principal, alert_id: uuid.UUID, request_id: str | None
) -> Alert:
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None:
        raise NotFoundError("No alert with this id.")
    if alert.resolved_at is None:
        alert.resolved_at = utcnow()
    _fill_references(session, [alert])
    audit(session, principal, "alert.resolved", "alert", alert.id, request_id)
    return alert


def raise_alert_once(session: Session, kind: AlertKind, detail: str) -> bool:
    """Raise the alert unless the same one is still open, so a condition that persists is raised once;
    whether it was raised."""
    found = session.scalar(
        select(Alert.id)
        .where(Alert.kind == AlertKind(kind).value, Alert.detail == detail, Alert.resolved_at.is_(None))
        .limit(1)
    )
    if found is not None:
        return False
    raise_alert(session, kind, detail)
    return True


def resolve_matching(session: Session, kind: AlertKind, detail: str) -> None:
    """Resolve the open alerts a condition raised, once the condition has ended by itself."""
    session.execute(
        update(Alert)
        .where(Alert.kind == AlertKind(kind).value, Alert.detail == detail, Alert.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )
