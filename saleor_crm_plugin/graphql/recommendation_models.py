"""Staff: trained recommendation versions (with their evaluation) and a product's channels."""

import graphene

from django.utils import timezone

from ..models import ProductSnapshot, RecommendationModel
from ..models.product import available_channels
from .errors import APIError, CRMErrorCode
from .ids import decode_id
from .permissions import require_staff

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
    metrics = graphene.JSONString(required=True, description="Evaluation on held-out orders, per model.")
    counts = graphene.JSONString(required=True, description="Orders, lines, products and customers trained on.")


class RecommendationModelQuery(graphene.ObjectType):
    crm_recommendation_models = graphene.List(
        graphene.NonNull(CRMRecommendationModel), required=True, first=graphene.Int(default_value=10),
        description=f"Trained versions, newest first (at most {MAX_VERSIONS}). Requires MANAGE_USERS.")
    crm_product_channels = graphene.List(
        graphene.NonNull(graphene.String), required=True, product=graphene.ID(required=True),
        description="The channels a Saleor product is published and available in now. Requires MANAGE_USERS.")

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
