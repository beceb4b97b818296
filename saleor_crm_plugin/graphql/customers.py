"""Finding customers for the staff API: by ID (CRM or Saleor user) or email, filtered and sorted lists."""

import re
from datetime import datetime

import graphene
from django.db.models import F, OuterRef, Subquery
from graphql_relay import from_global_id

from ..campaigns.consent import validate_channel
from ..errors import CRMError as CRMErrorBase
from ..models import ChannelConsent, ConsentState, CustomerAnalytics, CustomerProfile, SegmentMember
from ..normalized.schema import normalize_email
from ..profiles.search import search_condition
from .errors import APIError, CRMErrorCode
from .ids import decode_id


class CRMCustomerFilterInput(graphene.InputObjectType):
    search = graphene.String(description=(
        "Part of the email, name or phone (at least 3 characters), or an order number (21 or #21)."))
    min_orders = graphene.Int()
    max_orders = graphene.Int()
    last_order_after = graphene.DateTime()
    last_order_before = graphene.DateTime()
    subscribed_in_channel = graphene.String(description="Customers subscribed to marketing mail in this channel.")
    is_guest = graphene.Boolean()
    segment = graphene.ID(description="Members of this saved segment.")


class CRMCustomerSortField(graphene.Enum):
    ORDER_COUNT = "order_count"
    LAST_ORDER = "last_order_at"
    FIRST_ORDER = "first_order_at"
    EMAIL = "email"
    CREATED = "created_at"
    CLV = "clv_12m"
    CHURN_RISK = "churn_risk"


class CRMOrderDirection(graphene.Enum):
    ASC = "asc"
    DESC = "desc"


class CRMCustomerSortingInput(graphene.InputObjectType):
    field = CRMCustomerSortField(required=True)
    direction = CRMOrderDirection(required=True)
    currency = graphene.String(description="For CLV and CHURN_RISK (scored per currency): whose figures sort. "
                                           "Customers with none in it come last.")


NULLABLE_SORT_FIELDS = {"last_order_at", "first_order_at", "email"}
SCORE_SORT_FIELDS = {"clv_12m", "churn_risk"}  # on crm_customer_analytics, one row per customer and currency


def customer_by_id_or_email(id=None, email=None, order_id=None) -> CustomerProfile | None:
    """``id`` (a CRMCustomer or Saleor User global ID), ``email`` or ``order_id`` (a Saleor Order global
    ID: the customer who placed it); exactly one of them."""
    if sum(value is not None for value in (id, email, order_id)) != 1:
        raise APIError(CRMErrorCode.REQUIRED.value, "Give one of id, email and orderId.", "id")
    if email is not None:
        return CustomerProfile.objects.filter(erased_at__isnull=True, email=normalize_email(email)).first()
    if order_id is not None:
        from ..models import CRMOrder

        saleor_order = decode_id(order_id, "Order", "orderId", integer=False)
        return CustomerProfile.objects.filter(
            erased_at__isnull=True, pk__in=CRMOrder.objects.filter(order_id=saleor_order).values("profile_id")
        ).first()
    return customer_by_id(id, "id")


def customer_by_id(value, field: str) -> CustomerProfile | None:
    """The (not erased) customer of a CRMCustomer or Saleor User global ID; ``INVALID_ID`` for anything else."""
    try:
        kind = from_global_id(str(value))[0]
    except Exception:  # noqa: BLE001 - malformed: decode_id reports it with a code
        kind = None
    profiles = CustomerProfile.objects.filter(erased_at__isnull=True)
    if kind == "User":
        return profiles.filter(user_id=decode_id(value, "User", field)).first()
    return profiles.filter(pk=decode_id(value, "CRMCustomer", field)).first()


def filtered_customers(filter=None, sort_by=None):
    queryset = CustomerProfile.objects.filter(erased_at__isnull=True)
    filter = filter or {}
    if filter.get("search") and filter["search"].strip():
        try:
            queryset = queryset.filter(search_condition(filter["search"]))
        except CRMErrorBase as error:
            raise APIError(error.code_value, error.message, "search") from None
    if filter.get("min_orders") is not None:
        queryset = queryset.filter(order_count__gte=filter["min_orders"])
    if filter.get("max_orders") is not None:
        queryset = queryset.filter(order_count__lte=filter["max_orders"])
    if filter.get("last_order_after") is not None:
        queryset = queryset.filter(last_order_at__gte=_aware(filter["last_order_after"], "lastOrderAfter"))
    if filter.get("last_order_before") is not None:
        queryset = queryset.filter(last_order_at__lt=_aware(filter["last_order_before"], "lastOrderBefore"))
    if filter.get("subscribed_in_channel") is not None:
        try:
            channel = validate_channel(filter["subscribed_in_channel"])
        except CRMErrorBase as error:
            raise APIError(error.code_value, error.message, "subscribedInChannel") from None
        queryset = queryset.filter(pk__in=ChannelConsent.objects.filter(
            channel=channel, state=ConsentState.SUBSCRIBED).values("profile_id"))
    if filter.get("is_guest") is not None:
        queryset = queryset.filter(user_id__isnull=filter["is_guest"])
    if filter.get("segment") is not None:
        segment = decode_id(filter["segment"], "CRMSegment", "segment")
        queryset = queryset.filter(pk__in=SegmentMember.objects.filter(segment_id=segment).values("profile_id"))
    field, direction = "order_count", "desc"
    if sort_by:
        field, direction = sort_by["field"], sort_by["direction"]
    if field in SCORE_SORT_FIELDS:
        currency = sort_by.get("currency")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
            raise APIError(CRMErrorCode.REQUIRED.value, "Sorting by a score needs its currency (e.g. USD).",
                           "sortBy.currency")
        queryset = queryset.annotate(score=Subquery(CustomerAnalytics.objects.filter(
            profile_id=OuterRef("pk"), currency=currency.upper()).values(field)[:1]))
        field = "score"
    # Nullable fields sort their nulls last; order count and creation date have none, so the
    # default sort (order count, newest first) can walk crm_profile_order_count_idx.
    nulls = {"nulls_last": True} if field in NULLABLE_SORT_FIELDS or field == "score" else {}
    if direction == "desc":
        return queryset.order_by(F(field).desc(**nulls), F("pk").desc())
    return queryset.order_by(F(field).asc(**nulls), F("pk").asc())


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise APIError(CRMErrorCode.INVALID.value, "Give a date-time with a time zone.", field)
    return value
