"""Open Referral UK: `GET /api/v1/oruk/services` and `/services/{id}`. Public, like the docs: the directory of
commissioned services is meant to be found by other agencies, and it holds no personal data."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from val.http.blueprint import ApiBlueprint as Blueprint
from val.http.blueprint import ViewAnswer
from val.http.context import request_session, services
from val.http.output import OutputSchema, enum_string
from val.http.problems import Problem
from val.http.schemas import StrictSchema
from val.oruk.presenter import page
from val.oruk.service import published_services

blp = Blueprint(
    "oruk",
    __name__,
    url_prefix="/api/v1/oruk",
    description="The provider directory as Open Referral UK services (public, no personal data)",
)


class PageQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class OrganizationSchema(OutputSchema):
    id = fields.String(metadata={"format": "uuid"})
    name = fields.String()
    description = fields.String()


class ServiceAreaSchema(OutputSchema):
    id = fields.String(metadata={"format": "uuid"})
    service_id = fields.String(metadata={"format": "uuid"})
    name = fields.String()
    extent_type = enum_string(("text",))
    extent = fields.String()


class OrukContactSchema(OutputSchema):
    id = fields.String(metadata={"format": "uuid"})
    service_id = fields.String(metadata={"format": "uuid"})
    name = fields.String()
    title = fields.String()


class ServiceSchema(OutputSchema):
    """An Open Referral UK (HSDS 3.0) service: the parts VAL publishes."""

    optional = ("minimum_age", "maximum_age")

    id = fields.String(metadata={"format": "uuid"})
    name = fields.String()
    description = fields.String()
    status = enum_string(("active", "inactive", "defunct", "temporarily closed"))
    minimum_age = fields.Integer(metadata={"description": "Left out when the service has no lower age limit"})
    maximum_age = fields.Integer(metadata={"description": "Left out when the service has no upper age limit"})
    organization = fields.Nested(OrganizationSchema)
    service_areas = fields.List(fields.Nested(ServiceAreaSchema))
    contacts = fields.List(fields.Nested(OrukContactSchema))


class ServicePageSchema(OutputSchema):
    total_items = fields.Integer()
    total_pages = fields.Integer()
    page_number = fields.Integer()
    size = fields.Integer()
    first_page = fields.Boolean()
    last_page = fields.Boolean()
    empty = fields.Boolean()
    contents = fields.List(fields.Nested(ServiceSchema))


def _published() -> list[dict[str, Any]]:
    return published_services(request_session(), services().settings.force_area_name)


@blp.route("/services")
class OrukServices(MethodView):
    @blp.arguments(PageQuerySchema(), location="query")
    @blp.response(200, ServicePageSchema)
    @blp.doc(security=[])
    def get(self, query: dict[str, Any]) -> ViewAnswer:
        """Every commissioned service, as Open Referral UK services. No credential needed."""
        return page(_published(), query["page"], query["per_page"])


@blp.route("/services/<string:service_id>")
class OrukService(MethodView):
    @blp.response(200, ServiceSchema)
    @blp.doc(security=[])
    def get(self, service_id: str) -> ViewAnswer:
        """One commissioned service, as an Open Referral UK service. No credential needed."""
        for published in _published():
            if published["id"] == service_id:
                return published
        raise Problem(404, "Not Found", "No published service has this id.")
