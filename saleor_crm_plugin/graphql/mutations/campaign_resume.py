import graphene

from ...campaigns.campaigns import resume_campaign
from .campaign_state_change import CRMCampaignStateChange


class CRMCampaignResume(CRMCampaignStateChange):
    """Resume a paused campaign (sending again if it had started, else scheduled). Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)

    change = staticmethod(resume_campaign)
