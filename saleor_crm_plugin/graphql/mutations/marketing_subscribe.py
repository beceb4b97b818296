import graphene

from ...campaigns.consent import subscribe, validate_channel
from ...config import get_setting
from ...error_codes import CampaignErrorCode
from ...errors import CRMError
from ...models import ConsentState
from ..consent_types import CRMConsentState
from ..permissions import caller
from .base import CRMMutation


class CRMMarketingSubscribe(CRMMutation):
    """Subscribe an address to marketing mail in one channel, from the storefront (no token needed).

    With double opt-in on (the default) the subscription is pending until
    the link of the confirmation mail is opened. A signed-in customer may
    omit ``email``: their account's address is used. The answer never tells
    whether the address was known or already subscribed.
    """

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel slug.")
        email = graphene.String(description="At most 254 characters; a signed-in customer may omit it.")

    channel = graphene.String()
    state = CRMConsentState(description="PENDING until confirmed (double opt-in), else SUBSCRIBED.")

    @classmethod
    def perform(cls, info, channel, email=None):
        who = caller(info)
        own = not who.is_anonymous and (email is None or _same_address(email, who.email))
        # Only the owner of the account may tie a subscription to it; another address stays a guest's.
        if own:
            consent = subscribe(channel, email=who.email, user_id=who.user_id, detail={"signed_in": True})
            return cls(channel=consent.channel, state=consent.state, errors=[])
        try:
            subscribe(channel, email=email, detail={"signed_in": False})
        except CRMError as error:
            if error.code_value != CampaignErrorCode.NOT_FOUND.value:
                raise
            # The address belonged to an erased customer: nothing is stored, and nothing is told.
        # Anyone may type any address: show what subscribing leads to, not what that address had.
        expected = ConsentState.PENDING if get_setting("double_opt_in") else ConsentState.SUBSCRIBED
        return cls(channel=validate_channel(channel), state=expected, errors=[])


def _same_address(email, account_email) -> bool:
    return isinstance(email, str) and bool(account_email) and email.strip().lower() == account_email.strip().lower()
