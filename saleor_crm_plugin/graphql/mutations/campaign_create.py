import graphene

from ...campaigns.campaigns import create_campaign
from ..campaign_inputs import CRMCampaignInput, campaign_fields
from ..campaign_types import CRMCampaign
from ..permissions import require_staff
from .base import CRMMutation


class CRMCampaignCreate(CRMMutation):
    """Save a draft campaign: a template, segments (minus exclusions), a channel and a sender.
    Requires MANAGE_USERS."""

    class Arguments:
        input = CRMCampaignInput(required=True)

    campaign = graphene.Field(CRMCampaign)

    @classmethod
    def perform(cls, info, input):
        require_staff(info)
        fields = {"name": None, "template_id": None, "channel": None, "segment_ids": [], **campaign_fields(input)}
        return cls(campaign=create_campaign(**fields), errors=[])
