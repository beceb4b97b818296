import graphene

from ...profiles.privacy import erase_customer
from ..ids import global_id
from ..permissions import require_staff
from ..privacy import customer_named
from .base import CRMMutation


class CRMCustomerErase(CRMMutation):
    """Erase a customer's personal data from the CRM (GDPR article 17). Requires MANAGE_USERS.

    Anonymized figures stay (so shop-wide totals do not change); later events
    about the customer fold into the anonymized profile.
    """

    class Arguments:
        customer = graphene.ID(description="CRMCustomer or Saleor User ID.")
        email = graphene.String(description="Or the customer's email.")

    erased_customer_ids = graphene.List(
        graphene.NonNull(graphene.ID), description="CRMCustomer IDs of the anonymized profiles.")

    @classmethod
    def perform(cls, info, customer=None, email=None):
        require_staff(info)
        profile = customer_named(customer, email, "customer")
        ids = erase_customer(user_id=profile.user_id, email=profile.email)
        return cls(erased_customer_ids=[global_id("CRMCustomer", pk) for pk in ids], errors=[])
