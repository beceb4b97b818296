import graphene

from ...profiles.consent import set_marketing_consent
from ..permissions import require_shopper, require_staff
from ..types import CRMCustomer, CRMProfile
from .base import CRMMutation, customer_from_id


class CRMMarketingConsentUpdate(CRMMutation):
    """Record a customer's marketing consent (Saleor has none).

    A signed-in customer updates their own (no ``customer``); staff with
    MANAGE_USERS update anyone's by passing ``customer``.
    """

    class Arguments:
        consent = graphene.Boolean(required=True)
        customer = graphene.ID(description="Staff only: CRMCustomer or Saleor User ID.")

    profile = graphene.Field(CRMProfile, description="The customer's own profile (when they updated it).")
    customer = graphene.Field(CRMCustomer, description="The customer (when staff updated it).")

    @classmethod
    def perform(cls, info, consent, customer=None):
        # The service refuses with a CRMError (not found, erased): CRMMutation reports it in ``errors``.
        if customer is not None:
            staff = require_staff(info)
            profile = set_marketing_consent(
                consent, f"staff:{staff.email or staff.user_id}", profile_id=customer_from_id(customer).pk)
            return cls(customer=profile, errors=[])
        shopper = require_shopper(info)
        profile = set_marketing_consent(consent, "customer", user_id=shopper.user_id, email=shopper.email)
        return cls(profile=profile, errors=[])
