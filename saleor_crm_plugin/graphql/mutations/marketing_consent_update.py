import graphene
from django.db import transaction
from django.utils import timezone

from ...events.schema import normalize_email
from ...models import CustomerProfile
from ..errors import APIError, CRMErrorCode
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
        if customer is not None:
            staff = require_staff(info)
            with transaction.atomic():
                profile = customer_from_id(customer)
                _record(profile, consent, f"staff:{staff.email or staff.user_id}")
            return cls(customer=profile, errors=[])
        shopper = require_shopper(info)
        with transaction.atomic():
            profile = _own_profile(shopper)
            _record(profile, consent, "customer")
        return cls(profile=profile, errors=[])


def _own_profile(shopper) -> CustomerProfile:
    """The shopper's profile; a first consent creates it, claiming a guest profile with their email."""
    profile = CustomerProfile.objects.select_for_update().filter(user_id=shopper.user_id).first()
    if profile is not None:
        return profile
    email = normalize_email(shopper.email)
    if email:
        profile = CustomerProfile.objects.select_for_update().filter(email=email, user_id__isnull=True).first()
        if profile is not None:
            profile.user_id = shopper.user_id
            profile.save(update_fields=["user_id"])
            return profile
        if CustomerProfile.objects.filter(email=email).exists():
            raise APIError(CRMErrorCode.INVALID.value, "Another account holds this email in the CRM.", "customer")
    return CustomerProfile.objects.create(user_id=shopper.user_id, email=email)


def _record(profile: CustomerProfile, consent: bool, source: str) -> None:
    profile.marketing_consent = consent
    profile.marketing_consent_at = timezone.now()
    profile.marketing_consent_source = source
    profile.save(update_fields=["marketing_consent", "marketing_consent_at", "marketing_consent_source"])
