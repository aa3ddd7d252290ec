"""Errors services raise for the HTTP layer (and the CLI) to present; services know nothing of HTTP."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad Request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFoundError(DomainError):
    status = 404
    title = "Not Found"


class ConflictError(DomainError):
    status = 409
    title = "Conflict"


class InvalidInputError(DomainError):
    """Input that is well-formed but breaks a rule (e.g. an event before the crime was reported)."""

    status = 422
    title = "Validation failed"
