import graphene

from ...campaigns.campaigns import delete_campaign
from ..campaign_types import campaign_pk
from ..permissions import require_staff
from .base import CRMMutation


class CRMCampaignDelete(CRMMutation):
    """Delete a draft campaign (a scheduled one is cancelled instead). Requires MANAGE_USERS."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()

    @classmethod
    def perform(cls, info, id):
        require_staff(info)
        delete_campaign(campaign_pk(id))
        return cls(deleted_id=id, errors=[])
