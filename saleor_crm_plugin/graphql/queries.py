"""Query fields: storefront (recommendations, the shopper's orders and profile) and staff (customers)."""

import graphene

from ..models import CustomerProfile
from ..recommendations import service
from .customers import CRMCustomerFilterInput, CRMCustomerSortingInput, customer_by_id_or_email, filtered_customers
from .errors import APIError, CRMErrorCode
from .ids import decode_id
from .pagination import paginate
from .permissions import require_shopper, require_staff
from .recommendations import Recommendation, RecommendationKind, for_customer, recommend
from .types import CRMCustomer, CRMCustomerConnection, CRMOrderConnection, CRMProfile, order_history


def own_profile(info) -> CustomerProfile | None:
    who = require_shopper(info)
    return CustomerProfile.objects.filter(user_id=who.user_id, erased_at__isnull=True).first()


class Query(graphene.ObjectType):
    recommendations = graphene.List(
        graphene.NonNull(Recommendation), required=True,
        channel=graphene.String(required=True, description="Channel slug; only products available there."),
        kind=RecommendationKind(required=True),
        product=graphene.ID(description="Saleor product ID, for ALSO_BOUGHT and SIMILAR."),
        checkout_token=graphene.UUID(description="For CART: the checkout whose lines to complete."),
        first=graphene.Int(description="At most 100; default 10."),
        description="Products for the storefront. FOR_YOU needs a signed-in customer; anonymous callers get "
                    "product-based kinds.",
    )
    my_order_history = graphene.Field(
        CRMOrderConnection, required=True, first=graphene.Int(), after=graphene.String(),
        description="The signed-in customer's orders, newest first.",
    )
    my_crm_profile = graphene.Field(CRMProfile, description="The signed-in customer's CRM data; null before any.")
    crm_customer = graphene.Field(
        CRMCustomer, id=graphene.ID(description="CRMCustomer or Saleor User ID."), email=graphene.String(),
        order_id=graphene.ID(description="A Saleor Order ID: the customer who placed it."),
        description="One customer (give one of id, email, orderId). Requires MANAGE_USERS.",
    )
    crm_customers = graphene.Field(
        CRMCustomerConnection, required=True, filter=CRMCustomerFilterInput(), sort_by=CRMCustomerSortingInput(),
        first=graphene.Int(), after=graphene.String(), description="Customers. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_recommendations(root, info, channel, kind, product=None, checkout_token=None, first=None):
        if kind == RecommendationKind.FOR_YOU.value:
            return for_customer(own_profile(info), channel, first)
        if kind in (RecommendationKind.ALSO_BOUGHT.value, RecommendationKind.SIMILAR.value):
            product_pk = decode_id(product, "Product", "product")
            call = service.also_bought if kind == RecommendationKind.ALSO_BOUGHT.value else service.similar
            return recommend(call, channel, first, product_pk)
        if checkout_token is None:
            raise APIError(CRMErrorCode.REQUIRED.value, "CART needs checkoutToken.", "checkoutToken")
        return recommend(service.for_checkout, channel, first, str(checkout_token))

    @staticmethod
    def resolve_my_order_history(root, info, first=None, after=None):
        return order_history(own_profile(info), first, after)

    @staticmethod
    def resolve_my_crm_profile(root, info):
        return own_profile(info)

    @staticmethod
    def resolve_crm_customer(root, info, id=None, email=None, order_id=None):
        require_staff(info)
        return customer_by_id_or_email(id, email, order_id)

    @staticmethod
    def resolve_crm_customers(root, info, filter=None, sort_by=None, first=None, after=None):
        require_staff(info)
        return paginate(filtered_customers(filter, sort_by), first, after)
