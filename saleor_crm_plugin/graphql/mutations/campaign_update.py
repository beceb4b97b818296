import graphene

from ...campaigns.campaigns import update_campaign
from ..campaign_inputs import CRMCampaignInput, campaign_fields
from ..campaign_types import CRMCampaign, campaign_pk
from ..permissions import require_staff
from .base import CRMMutation


class CRMCampaignUpdate(CRMMutation):
    """Change a draft campaign's fields (those given). Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)
        input = CRMCampaignInput(required=True)

    campaign = graphene.Field(CRMCampaign)

    @classmethod
    def perform(cls, info, id, input):
        require_staff(info)
        return cls(campaign=update_campaign(campaign_pk(id), **campaign_fields(input)), errors=[])
