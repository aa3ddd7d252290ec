"""What the app wired at start-up, reachable from views without globals built at import; and the request's
unit of work."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Response, current_app, g

from val.db.session import Database, DatabaseError, committing, database_unreachable
from val.db.settle import committed, forget, settle
from val.errors import DomainError
from val.http.problems import domain_problem, problem_response
from val.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

if TYPE_CHECKING:  # the rulebook is assembled above every feature; the HTTP layer only carries it
    from val.cases.matching import MatchKeyer
    from val.rulebook import Rulebook


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    rulebook: Rulebook
    # The repeat-victim key (docs/data-lifecycle.md); None in production until VAL_MATCH_KEY is set.
    match_keyer: MatchKeyer | None = None
    # name → check, each True when ready; /ready reports them beside the database and the broker.
    readiness_checks: dict[str, Callable[[], bool]] = field(default_factory=dict)


def services() -> Services:
    services_: Services = current_app.extensions["val"]
    return services_


def request_session() -> Session:
    """One session per request, shared by the auth guard and the view: authentication, the work and its
    audit event run on one connection, in one unit of work the request owns (committed by
    `commit_request`). Closed (rolled back if uncommitted) when the request ends."""
    session: Session | None = g.get("_val_session")
    if session is None:
        session = g._val_session = services().db.sessions()
    return session


def request_unit_of_work() -> AbstractContextManager[Session]:
    """A unit of work inside the request, committed when its block ends (for batches: one per record)."""
    return committing(request_session())


def commit_request(response: Response) -> Response:
    """The request is the unit of work: a success commits what the view did (its audit rows included), any
    error answer rolls it back."""
    session: Session | None = g.get("_val_session")
    if session is not None:
        if response.status_code < 400:
            try:
                settle(session)
            except DomainError as refused:  # e.g. another actor moved the case first: keep nothing
                forget(session)
                session.rollback()
                return domain_problem(refused)
            try:
                session.commit()
                committed(session)
            except DatabaseError as error:
                _roll_back_quietly(session)
                if not database_unreachable(error):
                    raise
                # The COMMIT itself failed (the server went away mid-request): nothing was kept, so the
                # answer prepared for it must not go out; the client may send the request again.
                return database_unavailable_response()
            except BaseException:
                session.rollback()
                raise
        else:
            forget(session)
            session.rollback()
    return response


def _roll_back_quietly(session: Session) -> None:
    with suppress(DatabaseError):  # the connection is already gone; the pool drops it
        session.rollback()


def database_unavailable_response() -> Response:
    return problem_response(
        503,
        "Database unavailable",
        "The database could not be reached and nothing of this request was kept; send it again shortly.",
        problem_type="database-unavailable",
        headers={"Retry-After": "2"},
    )


def close_request_session(_error: BaseException | None = None) -> None:
    session = g.pop("_val_session", None)
    if session is not None:
        session.close()


def drop_request_work() -> None:
    """End the request's unit of work now, keeping nothing (a refused request keeps nothing anyway), so that
    work in a transaction of its own does not wait for this one's write lock on SQLite."""
    session: Session | None = g.get("_val_session")
    if session is not None:
        session.rollback()
