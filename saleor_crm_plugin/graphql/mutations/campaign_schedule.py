import graphene

from ...campaigns.campaigns import schedule_campaign
from .campaign_state_change import CRMCampaignStateChange


class CRMCampaignSchedule(CRMCampaignStateChange):
    """Schedule a draft: it starts at `at` (now when omitted). Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)
        at = graphene.DateTime(description="When to start (with a time zone); now when omitted, at most a year ahead.")

    change = staticmethod(schedule_campaign)
