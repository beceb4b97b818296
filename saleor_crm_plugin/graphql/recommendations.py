"""Recommendation types and the one resolver every recommendation field goes through."""

import graphene

from ..recommendations import service
from ..recommendations.service import RecommendationError
from .errors import APIError
from .ids import global_id
from .pagination import check_first


class ProductEntity:
    """The root object of a Saleor ``Product`` entity: its id and the channel it is asked about."""

    def __init__(self, pk: int, channel: str | None):
        self.pk, self.channel = pk, channel


class RecommendationKind(graphene.Enum):
    FOR_YOU = "for_you"
    ALSO_BOUGHT = "also_bought"
    SIMILAR = "similar"
    CART = "cart"


class RecommendationReason(graphene.Enum):
    BUY_AGAIN = "buy_again"
    CUSTOMERS_LIKE_YOU = "customers_like_you"
    BOUGHT_TOGETHER = "bought_together"
    SIMILAR = "similar"
    POPULAR_IN_CATEGORY = "popular_in_category"
    POPULAR_IN_CHANNEL = "popular_in_channel"


class Recommendation(graphene.ObjectType):
    product_id = graphene.ID(required=True, description="Saleor's global ID of the product.")
    # By import path: federation.py builds on this module, so the reference is resolved when the schema is.
    product = graphene.Field("saleor_crm_plugin.graphql.federation.Product", required=True,
                             description="The product as a federation entity (id and channel).")
    product_name = graphene.String(description="The product's name as the CRM last saw it in Saleor's catalog.")
    score = graphene.Float(required=True)
    reason = RecommendationReason(required=True)

    @staticmethod
    def resolve_product_name(root, info):
        return info.context.crm_loaders.product_names.load(root.product_id).then(
            lambda products: products[0].name if products else None)

    @staticmethod
    def resolve_product_id(root, info):
        return global_id("Product", root.product_id)

    @staticmethod
    def resolve_product(root, info):
        return ProductEntity(root.product_id, root.channel)

    @staticmethod
    def resolve_reason(root, info):
        return root.reason.value


class ServedRecommendation:
    __slots__ = ("product_id", "score", "reason", "channel")

    def __init__(self, item, channel):
        self.product_id, self.score, self.reason, self.channel = item.product_id, item.score, item.reason, channel


def recommend(call, channel: str, first: int | None, *args, **kwargs) -> list[ServedRecommendation]:
    """Run a ``service`` call with the API's limits, translating its errors to API codes."""
    limit = check_first(10 if first is None else first)
    try:
        return [ServedRecommendation(item, channel) for item in call(*args, channel=channel, limit=limit, **kwargs)]
    except RecommendationError as error:
        field = {"limit": "first", "product": "product", "checkoutToken": "checkoutToken"}.get(error.field, error.field)
        raise APIError(error.code_value, error.message.replace("limit", "first"), field) from None


def for_customer(profile, channel, first):
    favourites = [c.get("category") for c in (profile.favourite_categories if profile else [])]
    return recommend(service.for_customer, channel, first, profile.pk if profile else None,
                     favourite_categories=favourites)
