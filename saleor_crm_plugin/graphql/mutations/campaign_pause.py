import graphene

from ...campaigns.campaigns import pause_campaign
from .campaign_state_change import CRMCampaignStateChange


class CRMCampaignPause(CRMCampaignStateChange):
    """Pause a scheduled or sending campaign; sending stops within one batch. Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)

    change = staticmethod(pause_campaign)
