"""Reading the directory for publication: every provider's services, in a stable order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from val.oruk.presenter import oruk_service
from val.providers import store as directory

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def published_services(session: Session, force_area: str) -> list[dict[str, Any]]:
    return [
        oruk_service(provider, service, force_area)
        for provider in directory.listed(session)
        for service in provider.services
    ]
