import graphene

from ...campaigns.consent import set_consent, subscribe
from ...models import ConsentSource, ConsentState
from ..consent_types import CRMChannelConsent, CRMMarketingConsentChoice
from ..permissions import require_shopper, require_staff
from ..types import CRMCustomer, CRMProfile
from .base import CRMMutation, customer_from_id


class CRMMarketingConsentUpdate(CRMMutation):
    """Set a customer's marketing consent in one channel (Saleor has none); each change is kept as proof.

    Staff with MANAGE_USERS set anyone's by passing ``customerId`` (recorded
    with their email). A signed-in customer sets their own: unsubscribing
    takes effect at once, subscribing is a storefront subscription (pending
    until confirmed when double opt-in is on).
    """

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel slug.")
        state = CRMMarketingConsentChoice(required=True)
        customer_id = graphene.ID(description="Staff only: CRMCustomer or Saleor User ID.")

    consent = graphene.Field(CRMChannelConsent, description="The consent in this channel after the change.")
    profile = graphene.Field(CRMProfile, description="The customer's own profile (when they updated it).")
    customer = graphene.Field(CRMCustomer, description="The customer (when staff updated it).")

    @classmethod
    def perform(cls, info, channel, state, customer_id=None):
        # The services refuse with a CRMError (not found, erased, bad channel): CRMMutation reports it in ``errors``.
        if customer_id is not None:
            staff = require_staff(info)
            consent = set_consent(ConsentState(state), channel, ConsentSource.STAFF,
                                  profile_id=customer_from_id(customer_id, "customerId").pk,
                                  detail={"staff": staff.email or str(staff.user_id)})
            return cls(consent=consent, customer=consent.profile, errors=[])
        shopper = require_shopper(info)
        if state == ConsentState.SUBSCRIBED:
            consent = subscribe(channel, email=shopper.email, user_id=shopper.user_id, detail={"signed_in": True})
        else:
            consent = set_consent(ConsentState.UNSUBSCRIBED, channel, ConsentSource.STOREFRONT,
                                  user_id=shopper.user_id, email=shopper.email)
        return cls(consent=consent, profile=consent.profile, errors=[])
