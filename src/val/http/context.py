"""What the app wired at start-up, reachable from views without globals built at import."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy.orm import Session

from val.db.session import Database
from val.rulebook import Rulebook
from val.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    rulebook: Rulebook


def services() -> Services:
    return current_app.extensions["val"]


def request_session() -> Session:
    """One session per request, shared by the auth guard and the view: authentication, the work and its
    audit event run on one connection, and the service's commit ends it. Closed (rolled back if uncommitted)
    when the request ends."""
    session = g.get("_val_session")
    if session is None:
        session = g._val_session = services().db.sessions()
    return session


def close_request_session(_error: BaseException | None = None) -> None:
    session = g.pop("_val_session", None)
    if session is not None:
        session.close()
