"""Staff: trained recommendation versions (with their evaluation), a product's channels and its buyers."""

import graphene

from django.utils import timezone

from ..models import ProductSnapshot, RecommendationModel
from ..models.product import available_channels
from ..reports.products import product_insight
from .errors import APIError, CRMErrorCode
from .ids import decode_id
from .permissions import require_staff
from .types import money_field
from .inputs import JSONString

MAX_VERSIONS = 50


class CRMRecommendationModel(graphene.ObjectType):
    """One training of the recommendation models."""

    version = graphene.String(required=True)
    status = graphene.String(required=True, description="training, ready, active, retired or failed.")
    is_active = graphene.Boolean(required=True, description="The version the shop is served from.")
    created_at = graphene.DateTime(required=True)
    trained_at = graphene.DateTime()
    activated_at = graphene.DateTime()
    data_until = graphene.DateTime(description="The newest order the training saw.")
    training_seconds = graphene.Float()
    metrics = JSONString(required=True, description="Evaluation on held-out orders, per model.")
    counts = JSONString(required=True, description="Orders, lines, products and customers trained on.")


class CRMProductRevenue(graphene.ObjectType):
    """A product's counted orders, units and line revenue in one currency."""

    currency = graphene.String(required=True)
    orders = graphene.Int(required=True)
    units = graphene.Int(required=True)
    revenue = money_field("revenue")


class CRMProductInsight(graphene.ObjectType):
    """Who buys one product, and whether they come back for it (counted orders only)."""

    buyers = graphene.Int(required=True, description="Customers with at least one order of the product.")
    repeat_buyers = graphene.Int(required=True, description="Customers who ordered it in two or more orders.")
    repeat_rate = graphene.Float(required=True, description="repeatBuyers / buyers (0 when nobody bought it).")
    orders = graphene.Int(required=True)
    units = graphene.Int(required=True)
    first_ordered_at = graphene.DateTime()
    last_ordered_at = graphene.DateTime()
    revenue = graphene.List(graphene.NonNull(CRMProductRevenue), required=True,
                            description="Per currency, never added across currencies.")


class RecommendationModelQuery(graphene.ObjectType):
    crm_recommendation_models = graphene.List(
        graphene.NonNull(CRMRecommendationModel), required=True, first=graphene.Int(default_value=10),
        description=f"Trained versions, newest first (at most {MAX_VERSIONS}). Requires MANAGE_USERS.")
    crm_product_channels = graphene.List(
        graphene.NonNull(graphene.String), required=True, product=graphene.ID(required=True),
        description="The channels a Saleor product is published and available in now. Requires MANAGE_USERS.")
    crm_product_insight = graphene.Field(
        CRMProductInsight, required=True, product=graphene.ID(required=True),
        description="A product's buyers, repeat buyers, orders and revenue per currency. Requires MANAGE_USERS.")

    @staticmethod
    def resolve_crm_recommendation_models(root, info, first=10):
        require_staff(info)
        if not isinstance(first, int) or not 1 <= first <= MAX_VERSIONS:
            raise APIError(CRMErrorCode.OUT_OF_RANGE.value, f"first must be 1 to {MAX_VERSIONS}.", "first")
        return list(RecommendationModel.objects.defer("bundle").order_by("-created_at", "-pk")[:first])

    @staticmethod
    def resolve_crm_product_channels(root, info, product):
        require_staff(info)
        snapshot = ProductSnapshot.objects.filter(product_id=decode_id(product, "Product", "product")).first()
        if snapshot is None:
            return []
        return sorted(available_channels(snapshot.channel_listings, snapshot.is_deleted, timezone.now()))

    @staticmethod
    def resolve_crm_product_insight(root, info, product):
        require_staff(info)
        return product_insight(decode_id(product, "Product", "product"))
