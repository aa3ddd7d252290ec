"""Errors services raise for the HTTP layer (and the CLI) to present; services know nothing of HTTP."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad Request"
    # A problem type of its own (its page explains it), and members the problem carries beside `detail`.
    problem_type: str | None = None

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra: dict[str, str] = {}


class NotFoundError(DomainError):
    status = 404
    title = "Not Found"


class ForbiddenError(DomainError):
    """The caller's credential does not permit this (a known caller, unlike 401)."""

    status = 403
    title = "Forbidden"


class ConflictError(DomainError):
    status = 409
    title = "Conflict"


class InvalidInputError(DomainError):
    """Input that is well-formed but breaks a rule (e.g. an event before the crime was reported)."""

    status = 422
    title = "Validation failed"


class PreconditionFailed(DomainError):
    """If-Match named a version of the record that is no longer current."""

    status = 412
    title = "Precondition Failed"


class PreconditionRequired(DomainError):
    """A change that must not be made blind (safe contact details) came without If-Match."""

    status = 428
    title = "Precondition Required"


class BadCursor(DomainError):
    """A pagination cursor this list did not give out."""

    status = 400
    title = "Bad cursor"

    def __init__(self) -> None:
        super().__init__("The cursor is not one this list gave out; start again without it.", field="cursor")
