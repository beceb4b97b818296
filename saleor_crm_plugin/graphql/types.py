"""Object types: orders, the shopper's own profile, the staff view of a customer."""

import graphene

from ..models import CRMOrder as OrderModel
from ..money import round_money
from .consent_types import CRMChannelConsent, CRMConsentRecord, consents_loader
from .ids import global_id
from .pagination import check_first, connection, paginate
from .recommendations import Recommendation, for_customer

INSIGHT_TYPES = "saleor_crm_plugin.graphql.insight_types"
SUPPORT_TYPES = "saleor_crm_plugin.graphql.support_types"


class CRMMoney(graphene.ObjectType):
    currency = graphene.String(required=True)
    amount = graphene.Float(required=True)


def money(amount, currency) -> CRMMoney:
    """An amount as the shop shows it: rounded to the currency's precision (47.99 USD, not 47.993)."""
    return CRMMoney(currency=currency, amount=float(round_money(amount, currency)))


def money_field(amount: str, currency: str = "currency", **kwargs) -> graphene.Field:
    """A required ``CRMMoney`` read from the object's ``amount`` and ``currency`` attributes."""
    return graphene.Field(CRMMoney, required=True, **kwargs,
                          resolver=lambda root, info: money(getattr(root, amount), getattr(root, currency)))


class CRMSpend(graphene.ObjectType):
    """Orders and revenue in one currency (never added across currencies)."""

    currency = graphene.String(required=True)
    order_count = graphene.Int(required=True)
    revenue = money_field("revenue")
    average_order_value = money_field("average_order_value")


class CRMOrderState(graphene.Enum):
    PLACED = "placed"
    PAID = "paid"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


class CRMOrderLine(graphene.ObjectType):
    product_id = graphene.ID(description="Saleor's global ID of the product.")
    product_name = graphene.String(required=True)
    variant_name = graphene.String(required=True)
    sku = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    unit_price = money_field("unit_price", "order_currency")
    total_price = money_field("total_price", "order_currency")

    @staticmethod
    def resolve_product_id(root, info):
        return global_id("Product", root.product_id) if root.product_id is not None else None


class CRMOrder(graphene.ObjectType):
    id = graphene.ID(required=True, description="Saleor's global ID of the order.")
    number = graphene.String(required=True)
    channel = graphene.String(required=True)
    status = graphene.String(required=True, description="Saleor's order status as last seen.")
    tracking_state = CRMOrderState(required=True, description="Where the order stands, from its events.")
    is_paid = graphene.Boolean(required=True)
    is_fulfilled = graphene.Boolean(required=True)
    is_cancelled = graphene.Boolean(required=True)
    is_refunded = graphene.Boolean(required=True)
    total = money_field("total_gross")
    placed_at = graphene.DateTime(required=True)
    lines = graphene.List(graphene.NonNull(CRMOrderLine), required=True)

    @staticmethod
    def resolve_id(root, info):
        return global_id("Order", root.order_id)

    @staticmethod
    def resolve_tracking_state(root, info):
        for flag, state in (("is_cancelled", "cancelled"), ("is_expired", "expired"),
                            ("is_fully_refunded", "refunded"), ("is_fulfilled", "fulfilled"), ("is_paid", "paid")):
            if getattr(root, flag):
                return state
        return "placed"

    @staticmethod
    def resolve_lines(root, info):
        def priced(lines):
            for line in lines:
                line.order_currency = root.currency
            return lines

        return info.context.crm_loaders.lines.load(root.pk).then(priced)


CRMOrderConnection = connection(CRMOrder, "CRMOrderCountable")


def order_history(profile, first, after) -> dict:
    """A page of ``profile``'s orders, newest first (their lines come through a dataloader)."""
    queryset = OrderModel.objects.filter(profile=profile).order_by("-placed_at", "-pk") if profile else \
        OrderModel.objects.none()
    return paginate(queryset, first, after)


class CRMTimelineEntry(graphene.ObjectType):
    """One business fact (an order placed, paid, fulfilled…) or contact (a mail, a click, a consent change, a
    service message, a survey answer); with ``raw``, one stored event as it came."""

    at = graphene.DateTime(required=True)
    kind = graphene.String(required=True, description=(
        "What it is: order.placed, order.paid, mail.sent, mail.clicked, consent.unsubscribed, … (raw: the "
        "event's kind, e.g. order.fully_paid)."))
    text = graphene.String(required=True, description="The entry in words, amounts formatted per currency.")


class CRMCustomerNote(graphene.ObjectType):
    text = graphene.String(required=True)
    author_email = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)


class CRMFavouriteProduct(graphene.ObjectType):
    product_id = graphene.ID()
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    orders = graphene.Int(required=True)

    @staticmethod
    def resolve_product_id(root, info):
        return global_id("Product", root["product_id"]) if root.get("product_id") is not None else None

    @staticmethod
    def resolve_name(root, info):
        return root.get("name") or ""

    @staticmethod
    def resolve_quantity(root, info):
        return root.get("quantity", 0)

    @staticmethod
    def resolve_orders(root, info):
        return root.get("orders", 0)


class CRMFavouriteCategory(graphene.ObjectType):
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)

    @staticmethod
    def resolve_name(root, info):
        return root.get("category") or ""

    @staticmethod
    def resolve_quantity(root, info):
        return root.get("quantity", 0)


class _ProfileFields:
    """What a shopper may see of their own profile (and staff of anyone's)."""

    email = graphene.String()
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    consents = graphene.List(graphene.NonNull(CRMChannelConsent), required=True,
                             description="Marketing consent per channel; a channel never asked about is absent.")
    order_count = graphene.Int(required=True)
    first_order_at = graphene.DateTime()
    last_order_at = graphene.DateTime()
    spend = graphene.List(graphene.NonNull(CRMSpend), required=True)

    @staticmethod
    def resolve_consents(root, info):
        return consents_loader(info).load(root.pk)

    @staticmethod
    def resolve_spend(root, info):
        return info.context.crm_loaders.spend.load(root.pk)


class CRMProfile(_ProfileFields, graphene.ObjectType):
    """The signed-in shopper's own CRM data."""


class CRMCustomer(_ProfileFields, graphene.ObjectType):
    """Everything the CRM knows about one customer (staff with MANAGE_USERS)."""

    id = graphene.ID(required=True, description="The CRM customer's global ID.")
    user_id = graphene.ID(description="Saleor's global ID of the account; null for a guest.")
    is_guest = graphene.Boolean(required=True)
    is_active = graphene.Boolean(required=True)
    placed_count = graphene.Int(required=True)
    cancelled_count = graphene.Int(required=True)
    refunded_count = graphene.Int(required=True)
    mean_days_between_orders = graphene.Float()
    favourite_products = graphene.List(graphene.NonNull(CRMFavouriteProduct), required=True)
    favourite_categories = graphene.List(graphene.NonNull(CRMFavouriteCategory), required=True)
    channels = graphene.List(graphene.NonNull(graphene.String), required=True)
    country = graphene.String(required=True, description="ISO code of the newest order's address; empty if none.")
    phone = graphene.String(required=True, description=(
        "Phone of the newest order's address, else of the account's default address; empty if none."))
    open_checkouts = graphene.Int(required=True)
    abandoned_checkouts = graphene.Int(required=True)
    created_at = graphene.DateTime(required=True)
    notes = graphene.List(graphene.NonNull(CRMCustomerNote), required=True)
    timeline = graphene.List(
        graphene.NonNull(CRMTimelineEntry), required=True, first=graphene.Int(),
        raw=graphene.Boolean(default_value=False, description=(
            "The stored events as they came (order.fully_paid, checkout.updated) in place of one line per "
            "business fact; the contacts stay.")),
        description="Every touch, newest first (default 20): business facts and contacts.")
    recommendations = graphene.List(graphene.NonNull(Recommendation), required=True,
                                    channel=graphene.String(required=True), first=graphene.Int())
    orders = graphene.Field(CRMOrderConnection, required=True, first=graphene.Int(), after=graphene.String())
    recent_orders = graphene.List(graphene.NonNull(CRMOrder), required=True, first=graphene.Int(),
                                  description="The newest orders (batched across a page of customers).")
    # Types of insight_types.py by import path: that module builds on this one.
    analytics = graphene.List(graphene.NonNull(f"{INSIGHT_TYPES}.CRMCustomerAnalytics"), required=True,
                              description="RFM, lifetime value and churn risk, per currency.")
    propensity = graphene.Field(f"{INSIGHT_TYPES}.CRMPropensity", description=(
        "Probability of ordering within propensity_horizon_days, with the top reasons; null until scored."))
    segments = graphene.List(graphene.NonNull(f"{INSIGHT_TYPES}.CRMSegment"), required=True)
    consent_history = graphene.List(graphene.NonNull(CRMConsentRecord), required=True, first=graphene.Int(),
                                    description="Consent changes, newest first (default 20).")
    satisfaction = graphene.Field(f"{SUPPORT_TYPES}.CRMCustomerSatisfaction", required=True, first=graphene.Int(),
                                  description="Latest CSAT and NPS, and the survey answers (newest first, default 20).")

    @staticmethod
    def resolve_id(root, info):
        return global_id("CRMCustomer", root.pk)

    @staticmethod
    def resolve_user_id(root, info):
        return global_id("User", root.user_id) if root.user_id else None

    @staticmethod
    def resolve_is_guest(root, info):
        return root.is_guest

    @staticmethod
    def resolve_channels(root, info):
        return [c if isinstance(c, str) else c.get("channel", "") for c in root.channels or []]

    @staticmethod
    def resolve_notes(root, info):
        return info.context.crm_loaders.notes.load(root.pk)

    @staticmethod
    def resolve_timeline(root, info, first=None, raw=False):
        return info.context.crm_loaders.timeline(check_first(first, default=20), raw=bool(raw)).load(root.pk).then(
            lambda entries: [CRMTimelineEntry(**entry) for entry in entries])

    @staticmethod
    def resolve_recommendations(root, info, channel, first=None):
        return for_customer(root, channel, first)

    @staticmethod
    def resolve_orders(root, info, first=None, after=None):
        return order_history(root, first, after)

    @staticmethod
    def resolve_recent_orders(root, info, first=None):
        return info.context.crm_loaders.recent_orders(check_first(first, default=5)).load(root.pk)

    @staticmethod
    def resolve_analytics(root, info):
        return info.context.crm_loaders.analytics.load(root.pk)

    @staticmethod
    def resolve_propensity(root, info):
        return info.context.crm_loaders.propensity.load(root.pk).then(lambda rows: rows[0] if rows else None)

    @staticmethod
    def resolve_segments(root, info):
        return info.context.crm_loaders.segments.load(root.pk)

    @staticmethod
    def resolve_consent_history(root, info, first=None):
        return info.context.crm_loaders.consent_history(check_first(first)).load(root.pk)

    @staticmethod
    def resolve_satisfaction(root, info, first=None):
        return info.context.crm_loaders.satisfaction(check_first(first)).load(root.pk)


CRMCustomerConnection = connection(CRMCustomer, "CRMCustomerCountable")
