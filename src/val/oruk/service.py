"""Reading the directory for publication: every provider's services, in a stable order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from val.oruk.presenter import oruk_service
from val.providers.models import Provider


def published_services(session: Session, force_area: str) -> list[dict[str, Any]]:
    providers = session.scalars(select(Provider).order_by(Provider.id))
    return [
        oruk_service(provider, service, force_area) for provider in providers for service in provider.services
    ]
