"""Staff queries: the service request queue, one request with its thread, and the shop's satisfaction."""

import re

import graphene
from django.db.models import F, OuterRef, Subquery

from ..models import CustomerAnalytics, CustomerSpend
from ..models.support import ServiceRequest
from ..support.satisfaction import by_category, shop_by_month, shop_total
from .customers import CRMOrderDirection, customer_by_id
from .errors import APIError, CRMErrorCode
from .pagination import paginate
from .permissions import require_staff
from .support_types import (
    CRMSatisfactionCategory, CRMSatisfactionFigures, CRMSatisfactionMonth, CRMServiceRequest,
    CRMServiceRequestConnection, CRMServiceRequestKind, CRMServiceRequestStatus, CRMShopSatisfaction, request_pk,
)

CURRENCY = re.compile(r"[A-Za-z]{3}")
MAX_MONEY = 1e15


class CRMServiceRequestFilterInput(graphene.InputObjectType):
    status = CRMServiceRequestStatus()
    kind = CRMServiceRequestKind()
    customer = graphene.ID(description="CRMCustomer or Saleor User ID.")
    min_clv = graphene.Float(description="Customers whose 12-month CLV in `currency` is at least this.")
    min_revenue = graphene.Float(description="Customers whose revenue in `currency` is at least this.")
    currency = graphene.String(description="The currency of minClv / minRevenue (e.g. USD).")


class CRMServiceRequestSortField(graphene.Enum):
    CREATED = "created_at"
    LAST_MESSAGE = "last_message_at"
    CLV = "clv"
    REVENUE = "revenue"


class CRMServiceRequestSortingInput(graphene.InputObjectType):
    field = CRMServiceRequestSortField(required=True)
    direction = CRMOrderDirection(required=True)
    currency = graphene.String(description="For CLV and REVENUE (figures are per currency); customers with none "
                                           "in it come last.")


VALUE_COLUMNS = {"clv": (CustomerAnalytics, "clv_12m"), "revenue": (CustomerSpend, "revenue")}


def _currency(value, field: str) -> str:
    if not isinstance(value, str) or not CURRENCY.fullmatch(value):
        raise APIError(CRMErrorCode.REQUIRED.value, "Customer value is per currency: give one (e.g. USD).", field)
    return value.upper()


def _value(measure: str, currency: str) -> Subquery:
    model, column = VALUE_COLUMNS[measure]
    return Subquery(model.objects.filter(profile_id=OuterRef("profile_id"), currency=currency).values(column)[:1])


def service_queue(filter=None, sort_by=None):
    """Requests filtered and sorted (default: oldest first), each with its customer."""
    requests = ServiceRequest.objects.select_related("profile")
    filter = filter or {}
    if filter.get("status") is not None:
        requests = requests.filter(status=filter["status"])
    if filter.get("kind") is not None:
        requests = requests.filter(kind=filter["kind"])
    if filter.get("customer") is not None:
        profile = customer_by_id(filter["customer"], "filter.customer")
        requests = requests.filter(profile_id=profile.pk if profile else None)
    for measure, key in (("clv", "min_clv"), ("revenue", "min_revenue")):
        minimum = filter.get(key)
        if minimum is None:
            continue
        if not -MAX_MONEY <= minimum <= MAX_MONEY:  # false for NaN
            raise APIError(CRMErrorCode.OUT_OF_RANGE.value, "Give a sane amount.", f"filter.{key}")
        currency = _currency(filter.get("currency"), "filter.currency")
        requests = requests.annotate(**{f"min_{measure}": _value(measure, currency)}).filter(
            **{f"min_{measure}__gte": minimum})
    field, direction = "created_at", "asc"
    if sort_by:
        field, direction = sort_by["field"], sort_by["direction"]
    nulls = {}
    if field in VALUE_COLUMNS:
        requests = requests.annotate(customer_value=_value(field, _currency(sort_by.get("currency"),
                                                                            "sortBy.currency")))
        field, nulls = "customer_value", {"nulls_last": True}
    if direction == "desc":
        return requests.order_by(F(field).desc(**nulls), F("pk").desc())
    return requests.order_by(F(field).asc(**nulls), F("pk").asc())


def _figures(cls, figures, **extra):
    return cls(**vars(figures), **extra)


class SupportQuery(graphene.ObjectType):
    crm_service_requests = graphene.Field(
        CRMServiceRequestConnection, required=True, filter=CRMServiceRequestFilterInput(),
        sort_by=CRMServiceRequestSortingInput(), first=graphene.Int(), after=graphene.String(),
        description="The service request queue, oldest first unless sorted. Requires MANAGE_USERS.")
    crm_service_request = graphene.Field(CRMServiceRequest, id=graphene.ID(required=True),
                                         description="One request with its thread. Requires MANAGE_USERS.")
    crm_satisfaction = graphene.Field(
        CRMShopSatisfaction, required=True, since=graphene.DateTime(), until=graphene.DateTime(),
        description="The shop's CSAT and NPS: in all, per month, per product category. Requires MANAGE_USERS.")

    @staticmethod
    def resolve_crm_service_requests(root, info, filter=None, sort_by=None, first=None, after=None):
        require_staff(info)
        return paginate(service_queue(filter, sort_by), first, after)

    @staticmethod
    def resolve_crm_service_request(root, info, id):
        require_staff(info)
        return ServiceRequest.objects.select_related("profile").filter(pk=request_pk(id)).first()

    @staticmethod
    def resolve_crm_satisfaction(root, info, since=None, until=None):
        require_staff(info)
        for name, value in (("since", since), ("until", until)):
            if value is not None and value.tzinfo is None:
                raise APIError(CRMErrorCode.INVALID.value, "Give a date-time with a time zone.", name)
        return CRMShopSatisfaction(
            total=_figures(CRMSatisfactionFigures, shop_total(since, until)),
            months=[_figures(CRMSatisfactionMonth, f, month=m) for m, f in shop_by_month(since, until)],
            categories=[_figures(CRMSatisfactionCategory, f, category=c) for c, f in by_category(since, until)])
