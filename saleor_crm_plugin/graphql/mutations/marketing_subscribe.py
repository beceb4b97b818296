import graphene

from ...campaigns.consent import request_subscription, subscribe, validate_email
from ...shop import check_channel
from ..consent_types import CRMConsentState
from ..permissions import caller
from ..storefront_limits import take_hit
from .base import CRMMutation


class CRMMarketingSubscribe(CRMMutation):
    """Subscribe an address to marketing mail in one channel, from the storefront (no token needed).

    With double opt-in on (the default) the subscription is pending until
    the link of the confirmation mail is opened; for an address typed in
    (not the signed-in customer's own) nothing but the pending request is
    stored until then. A signed-in customer may omit ``email``: their
    account's address is used. The answer never tells whether the address
    was known or already subscribed. The channel must be one of the shop's
    (INVALID_CHANNEL); a typed address is limited per visitor and per address
    (RATE_LIMITED, with HTTP 429 and Retry-After).
    """

    class Arguments:
        channel = graphene.String(required=True, description="The Saleor channel slug.")
        email = graphene.String(description="At most 254 characters; a signed-in customer may omit it.")

    channel = graphene.String()
    state = CRMConsentState(description="PENDING until confirmed (double opt-in), else SUBSCRIBED.")

    @classmethod
    def perform(cls, info, channel, email=None):
        who = caller(info)
        channel = check_channel(channel)
        own = not who.is_anonymous and (email is None or _same_address(email, who.email))
        # Only the owner of the account may tie a subscription to it; another address stays a guest's.
        if own:
            consent = subscribe(channel, email=who.email, user_id=who.user_id, detail={"signed_in": True})
            return cls(channel=consent.channel, state=consent.state, errors=[])
        address = validate_email(email)
        take_hit(info, subject=address)
        # Anyone may type any address: show what subscribing leads to, not what that address had.
        state = request_subscription(channel, email=address, detail={"signed_in": False})
        return cls(channel=channel, state=state, errors=[])


def _same_address(email, account_email) -> bool:
    return isinstance(email, str) and bool(account_email) and email.strip().lower() == account_email.strip().lower()
