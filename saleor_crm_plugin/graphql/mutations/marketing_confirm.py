import graphene

from ...campaigns.consent import confirm
from ..consent_types import CRMConsentState
from .base import CRMMutation


class CRMMarketingConfirm(CRMMutation):
    """Confirm a pending subscription with the token of its confirmation mail (no sign-in needed)."""

    class Arguments:
        token = graphene.String(required=True, description="From the confirmation link.")

    channel = graphene.String()
    state = CRMConsentState()

    @classmethod
    def perform(cls, info, token):
        consent = confirm(token)
        return cls(channel=consent.channel, state=consent.state, errors=[])
