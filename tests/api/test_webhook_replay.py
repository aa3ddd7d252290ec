"""A kept webhook is sent again only while what it says is still so: an offer while the referral is offered, an
update while a provider holds it. A withdrawal may always be repeated."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from tests.api.cases import CASES
from tests.api.providers import police_intake, route_of
from tests.conftest import auth
from val.auth.roles import Role
from val.db.session import unit_of_work
from val.webhooks.models import WebhookDelivery

REPLAY = "/api/v1/webhook-deliveries/{}/replay"


def _kept(database, assignment_id, event):
    """The delivery of `event` for the assignment, as kept after it was delivered."""
    with unit_of_work(database) as session:
        delivery_id = session.scalar(
            select(WebhookDelivery.id).where(
                WebhookDelivery.assignment_id == uuid.UUID(assignment_id), WebhookDelivery.event_type == event
            )
        )
        session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(status="delivered")
        )
    return delivery_id


def test_an_offer_withdrawn_after_consent_was_declined_is_not_offered_again(
    client, make_key, referral_body, database
):
    """It was: a coordinator replayed `referral.offered` for an assignment withdrawn after the victim declined
    (202, delivered), so the provider was offered a referral the victim had refused."""
    case = police_intake(client, make_key, referral_body)()
    coordinator, admin = make_key(Role.COORDINATOR), make_key(Role.ADMIN)
    idva = route_of(case, "idva")
    offered = _kept(database, idva["id"], "referral.offered")
    while_offered = client.post(REPLAY.format(offered), headers=auth(admin))
    assert while_offered.status_code == 202, "while the referral is offered, the offer may go again"
    _kept(database, idva["id"], "referral.offered")

    declined = client.patch(
        f"{CASES}/{case['id']}", json={"consent": {"support_referral": "declined"}}, headers=auth(coordinator)
    )
    assert declined.status_code == 200, declined.get_json()
    refused = client.post(REPLAY.format(offered), headers=auth(coordinator))
    assert refused.status_code == 409 and refused.get_json()["errors"][0]["field"] == "status"
    assert "withdrawn" in refused.get_json()["detail"]
    withdrawn = _kept(database, idva["id"], "referral.withdrawn")
    assert client.post(REPLAY.format(withdrawn), headers=auth(coordinator)).status_code == 202
