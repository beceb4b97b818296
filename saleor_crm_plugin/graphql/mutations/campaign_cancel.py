import graphene

from ...campaigns.campaigns import cancel_campaign
from .campaign_state_change import CRMCampaignStateChange


class CRMCampaignCancel(CRMCampaignStateChange):
    """Cancel a campaign for good; recipients not yet sent to get nothing. Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)

    change = staticmethod(cancel_campaign)
