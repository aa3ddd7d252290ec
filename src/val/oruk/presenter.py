"""A directory entry as Open Referral UK (the UK profile of HSDS 3.0) service objects: one service for each
service a provider is commissioned for, with its organisation, eligibility by age, service areas and the
contact channel. Ids are UUIDs derived from VAL's stable provider ids, so they never change between calls."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from val.providers.store import ListedProvider

# A fixed namespace: the same provider and service always publish under the same ids.
NAMESPACE = uuid.UUID("6f1d3c2e-5b7a-4c1e-9a0d-3e2f1b4c5d6e")

SERVICE_NAMES = {
    "victim_care": "Victim care and support",
    "domestic_abuse_support": "Domestic abuse support",
    "idva": "Independent Domestic Violence Advisers (IDVA)",
    "marac": "Multi-Agency Risk Assessment Conference (MARAC) referrals",
    "cyp_domestic_abuse": "Children and young people affected by domestic abuse",
    "isva": "Independent Sexual Violence Advisers (ISVA)",
    "chisva": "Children's Independent Sexual Violence Advisers (ChISVA)",
    "sarc": "Sexual Assault Referral Centre (SARC)",
    "climb": "Climb: young people at risk of exploitation",
    "hate_crime_advocacy": "Hate crime advocacy",
    "road_victim_support": "Support after a road traffic collision",
    "homicide_bereavement": "Support for families bereaved by homicide",
    "modern_slavery_support": "Support for survivors of modern slavery",
}


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def service_id(provider_id: str, service: str) -> str:
    return _id("service", provider_id, service)


def _area_name(area: str) -> str:
    return area.replace("_", " ").title().replace(" And ", " and ")


def oruk_service(provider: ListedProvider, service: str, force_area: str) -> dict[str, Any]:
    sid = service_id(provider.id, service)
    ages = ""
    if provider.min_age is not None or provider.max_age is not None:
        ages = (
            f" Ages {provider.min_age or 0} to {provider.max_age if provider.max_age is not None else 'any'}."
        )
    published: dict[str, Any] = {
        "id": sid,
        "name": f"{SERVICE_NAMES.get(service, service)}: {provider.name}",
        "description": f"{SERVICE_NAMES.get(service, service)}, commissioned for victims of crime in "
        f"{force_area}.{ages} Victims are referred through the Victim Advice Line, which offers the service "
        "with the victim's consent.",
        "status": _status(provider),
        "organization": {
            "id": _id("organization", provider.id),
            "name": provider.name,
            "description": f"{provider.name}, a support provider commissioned for victims of crime.",
        },
        "service_areas": [
            {
                "id": _id("service_area", provider.id, service, area),
                "service_id": sid,
                "name": _area_name(area),
                "extent_type": "text",
                "extent": f"The {_area_name(area)} policing area of {force_area}",
            }
            for area in provider.policing_areas
        ],
        # The contact channel: the Victim Advice Line is the single front door; providers take no direct
        # referrals through this directory.
        "contacts": [
            {
                "id": _id("contact", provider.id, service),
                "service_id": sid,
                "name": "Victim Advice Line",
                "title": "Referral through the Victim Advice Line (police and partner agencies)",
            }
        ],
    }
    if provider.min_age is not None:
        published["minimum_age"] = provider.min_age
    if provider.max_age is not None:
        published["maximum_age"] = provider.max_age
    return published


def _status(provider: ListedProvider) -> str:
    if not provider.active:
        return "inactive"
    # Switched off by an administrator for now (an endpoint fault, a pause in the contract).
    return "temporarily closed" if provider.admin_disabled else "active"


def page(items: list[dict[str, Any]], number: int, size: int) -> dict[str, Any]:
    """The Open Referral UK list envelope."""
    total = len(items)
    pages = max(1, -(-total // size))
    contents = items[(number - 1) * size : number * size]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= pages,
        "empty": not contents,
        "contents": contents,
    }
